using System.Xml.Linq;
using Conformance.Reporting;
using Conformance.Tests.Redaction;

namespace Conformance.Tests.Reporting;

public sealed class JUnitControlCharacterTests
{
    [Fact]
    public void Render_ControlCharactersXmlCannotCarry_AreReplacedNotDropped()
    {
        // Three 7-character pieces of the key, each harmless alone; dropping the control characters would join them.
        var key = RedactorTests.Key;
        var message = key[..7] + "\u0001" + key[7..14] + "\u001b" + key[14..];
        var report = new ConformanceReport
        {
            Target = new ReportTarget { BaseUrl = "u", Model = "m", Profile = "acs" },
            Checks = [new CheckReport { Id = "a.b", Title = "t", Category = "a", Spec = "s", Verdict = Verdict.Fail, Message = message }],
        };

        var failure = XDocument.Parse(JUnitReport.Render(report)).Descendants("failure").Single();

        failure.Attribute("message")!.Value.Should().Be(key[..7] + "\uFFFD" + key[7..14] + "\uFFFD" + key[14..]);
        KeyForms.LeakedRuns(failure.ToString(), key).Should().BeEmpty();
    }
}
