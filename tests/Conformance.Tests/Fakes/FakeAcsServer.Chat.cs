using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>The chat route: the embedded <see cref="FakeChatServer"/>, behind the same whole-endpoint hostility.</summary>
public sealed partial class FakeAcsServer
{
    private async Task ChatAsync(HttpContext ctx)
    {
        if (await HostileAsync(ctx))
        {
            return;
        }

        await _chat.HandleAsync(ctx);
    }
}
