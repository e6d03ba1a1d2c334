using MockServer.Chat;
using MockServer.Tokenization;
using static MockServer.Tests.Chat.ChatParsing;

namespace MockServer.Tests.Chat;

/// <summary>After the body's own rules: the model (exists, has a chat template), the rendered prompt, its length and cost.</summary>
public sealed class ChatPromptPolicyTests
{
    private readonly ChatParsing _chat = new();

    [Fact]
    public void A_base_model_without_a_chat_template_answers_as_vllm_does()
    {
        var error = _chat.BadRequest(Body(model: "base"), "chat_template_missing", null);

        error.Message.Should().Be(ChatRequestParser.NoChatTemplateMessage).And.Contain("chat template");
    }

    [Fact]
    public void An_unknown_model_is_the_completions_404()
    {
        var error = _chat.Error(Body(model: "gpt-x"));

        error.Status.Should().Be(404);
        error.Code.Should().Be("model_not_found");
        error.Param.Should().Be("model");
        error.Message.Should().Contain("chat, plain-chat");
    }

    [Fact]
    public void The_body_is_checked_before_the_model_so_a_base_model_reports_body_errors_first()
    {
        _chat.BadRequest(Body(",\"max_tokens\":true", model: "base"), "invalid_type", "max_tokens");
    }

    [Fact]
    public void The_prompt_is_the_rendered_conversation_with_one_beginning_of_text()
    {
        var request = _chat.Parse(Body(messages: """[{"role":"system","content":"Be brief."},{"role":"user","content":"Count to 5."}]"""));

        request.Prompt.Text.Should().Be(ChatTemplates.Render("chatml", request.Messages, request.Tools));
        request.Prompt.Text.Should().Contain("Count to 5.").And.Contain("Be brief.");
        request.Prompt.Tokens[0].Id.Should().Be(Vocabulary.BeginOfTextId);
        request.Prompt.Tokens.Count(t => t.Id == Vocabulary.BeginOfTextId).Should().Be(1);
        string.Concat(request.Prompt.Tokens.Skip(1).Select(t => t.Text)).Should().Be(request.Prompt.Text);
    }

    [Theory]
    [InlineData(",\"max_tokens\":30", 30)]
    [InlineData(",\"max_completion_tokens\":40", 40)]
    [InlineData(",\"max_tokens\":30,\"max_completion_tokens\":40", 40)]
    [InlineData("", ChatRequestParser.DefaultMaxTokens)]
    public void Max_completion_tokens_wins_then_max_tokens_then_the_default(string extra, int expected)
    {
        _chat.Parse(Body(extra)).MaxTokens.Should().Be(expected);
    }

    [Fact]
    public void Without_a_length_a_small_context_gives_the_room_it_has_left()
    {
        var request = _chat.Parse(Body(model: "small-chat"));

        request.MaxTokens.Should().Be(64 - request.Prompt.Tokens.Count).And.BeLessThan(ChatRequestParser.DefaultMaxTokens);
    }

    [Theory]
    [InlineData("max_tokens")]
    [InlineData("max_completion_tokens")]
    public void A_length_past_the_context_is_refused_naming_the_parameter_given(string name)
    {
        var error = _chat.BadRequest(Body($",\"{name}\":4096"), "context_length_exceeded", name);

        error.Message.Should().Contain("maximum context length is 4096 tokens").And.Contain("your messages contain");
    }

    [Fact]
    public void A_conversation_longer_than_the_context_is_refused_even_without_a_length()
    {
        var longText = string.Join(' ', Enumerable.Repeat("word", 100));

        _chat.BadRequest(Body(messages: $$"""[{"role":"user","content":"{{longText}}"}]""", model: "small-chat"), "context_length_exceeded", "max_tokens");
    }

    [Fact]
    public void The_request_budget_counts_choices_length_and_logprobs_as_in_completions()
    {
        var small = new ChatParsing(maxGeneratedTokensPerRequest: 1000);

        // 4 choices x 100 tokens x (1 + 5 + 1) entries = 2800 > 1000; without logprobs 400 fits.
        var error = small.BadRequest(Body(",\"n\":4,\"max_completion_tokens\":100,\"logprobs\":true,\"top_logprobs\":5"), "request_too_large", "max_completion_tokens");
        error.Message.Should().Contain("4 choices x 100 max_completion_tokens").And.Contain("2800");
        small.Parse(Body(",\"n\":4,\"max_completion_tokens\":100")).N.Should().Be(4);
    }
}
