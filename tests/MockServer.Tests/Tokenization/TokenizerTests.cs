using MockServer.Tokenization;

namespace MockServer.Tests.Tokenization;

public sealed class TokenizerTests
{
    private readonly Tokenizer _tokenizer = new(new Vocabulary());

    [Theory]
    [InlineData("The capital of France is", 6)]
    [InlineData("Five reasons to learn Rust:\n1.", 9)]
    [InlineData("", 1)]
    public void Prompt_counts_include_beginning_of_text_like_the_docs(string prompt, int expected)
    {
        _tokenizer.TokenizePrompt(prompt).Should().HaveCount(expected);
    }

    [Fact]
    public void Pieces_are_gpt_style()
    {
        _tokenizer.TokenizePrompt("Five reasons to learn Rust:\n1. It’s fast!").Select(t => t.Text)
            .Should().Equal(Vocabulary.BeginOfText, "Five", " reasons", " to", " learn", " Rust", ":\n", "1", ".", " It", "’s", " fast", "!");
    }

    [Fact]
    public void Known_pieces_get_vocabulary_ids_and_others_stable_ids_outside_it()
    {
        var tokens = _tokenizer.TokenizePrompt(" city Zyzzyva");
        var again = _tokenizer.TokenizePrompt(" city Zyzzyva");

        tokens[1].Id.Should().BeLessThan(_tokenizer.Vocabulary.Count);
        tokens[2].Id.Should().BeInRange(_tokenizer.Vocabulary.Count, Vocabulary.BeginOfTextId - 1);
        again.Should().Equal(tokens);
    }
}
