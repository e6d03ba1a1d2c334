namespace MockServer.Journal;

/// <summary>
/// What the request's handling learns for its journal entry, as it goes (a request feature set by
/// <see cref="JournalMiddleware"/>): the body the pipeline read, the model, what answered, the fault, the frames sent.
/// </summary>
internal sealed class JournalScratch
{
    public ReadOnlyMemory<byte> Body { get; set; }

    public string? Model { get; set; }

    public string? AnsweredBy { get; set; }

    public string? Fixture { get; set; }

    public IReadOnlyList<string> NearMisses { get; set; } = [];

    public string? Fault { get; set; }

    public bool Stream { get; set; }

    public int Frames { get; set; }

    public bool Done { get; set; }

    public bool LeftEarly { get; set; }

    /// <summary>Notes the body's <c>model</c> when it is a string; one that is not valid UTF-16 (a lone surrogate) is left out, for the parser to refuse.</summary>
    public void NoteModel(System.Text.Json.JsonElement root) => Model = Dialects.RequestDialect.ModelIdOf(root);

    /// <summary>Notes what answers an admitted request: the fixture of that name, or the synthetic model when null.</summary>
    public static void NoteAnswer(HttpContext context, string? fixture)
    {
        if (context.Features.Get<JournalScratch>() is { } scratch)
        {
            (scratch.AnsweredBy, scratch.Fixture) = (fixture is null ? "synthetic" : "fixture", fixture);
        }
    }
}
