namespace Conformance.Sse;

/// <summary>One dispatched server-sent event, as the WHATWG algorithm defines it (spec-facts §8 rule 7).</summary>
/// <param name="EventType">The event type; "message" unless an <c>event:</c> field set it.</param>
/// <param name="Data">The data buffer with the trailing LF removed.</param>
/// <param name="Id">The last <c>id:</c> value seen in this event, if any.</param>
/// <param name="FieldNames">Every field name in the event's lines, in order (comments excluded).</param>
/// <param name="Raw">The event's lines as received, for evidence (line terminators normalised to LF).</param>
/// <param name="Index">Zero-based position of the event in the stream.</param>
internal sealed record SseEvent(string EventType, string Data, string? Id, IReadOnlyList<string> FieldNames, string Raw, int Index);
