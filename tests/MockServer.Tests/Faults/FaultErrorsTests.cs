using MockServer.Faults;

namespace MockServer.Tests.Faults;

/// <summary>The eviction error says the model is restarting only when the eviction made it cold.</summary>
public sealed class FaultErrorsTests
{
    [Fact]
    public void An_eviction_that_left_the_model_warm_does_not_say_it_is_restarting()
    {
        var warm = FaultErrors.Evicted("llama-8b", FaultErrors.ByAdmin, restarting: false);
        var cold = FaultErrors.Evicted("cold-base", FaultErrors.ByAdmin, restarting: true);

        warm.Message.Should().Be("The model 'llama-8b' was evicted; the stream ended early. Retry the request." + FaultErrors.ByAdmin);
        cold.Message.Should().StartWith("The model 'cold-base' was evicted and is restarting (cold boot)").And.EndWith(FaultErrors.ByAdmin);
        new[] { warm, cold }.Should().OnlyContain(e => e.Status == 500 && e.Code == "model_evicted" && e.Type == "server_error");
    }
}
