using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Conformance.Cli;

/// <summary>
/// The parse errors as the CLI prints them. System.CommandLine quotes every token it could not place
/// (<c>Unrecognized command or argument 'sk-...'</c>), and a key pasted without its option name, or a second value after
/// <c>--api-key K1</c>, is such a token: a key the CLI does not know cannot be redacted. So an unmatched token is never
/// quoted, only located by its position on the command line, as the mock does (docs/conformance.md, "Redaction").
/// </summary>
internal static class UnmatchedArguments
{
    /// <summary>The lines to print for <paramref name="parse"/>'s errors: unmatched tokens by position, every other error as is.</summary>
    public static IEnumerable<string> Messages(ParseResult parse, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var unmatched = Unmatched(parse);
        var positions = Positions(parse.Tokens, args);
        foreach (var token in unmatched)
        {
            var where = positions.TryGetValue(token, out var position)
                ? string.Create(CultureInfo.InvariantCulture, $"at position {position}")
                : "on the command line";
            if (token.Value.StartsWith('-'))
            {
                // The suggestion names a known option, never the token: a did-you-mean without quoting what was typed.
                yield return ClosestOption(parse.CommandResult.Command, token.Value) is { } option
                    ? $"unknown option {where}; did you mean '{option}'? (the options are listed by --help)"
                    : $"unknown option {where}; the options are listed by --help";
                continue;
            }

            var takes = parse.CommandResult.Command is RootCommand
                ? "the CLI takes no positional arguments"
                : $"'{parse.CommandResult.Command.Name}' takes only {string.Join(" and ", parse.CommandResult.Command.Arguments.Select(a => a.Name))}";
            yield return $"unexpected argument {where}; {takes} (did you forget an option name, or quote a value with spaces?)";
        }

        // The errors System.CommandLine raised for those tokens quote them; every other error is kept.
        var values = unmatched.Select(t => $"'{t.Value}'").ToList();
        foreach (var error in parse.Errors)
        {
            if (!values.Any(v => error.Message.Contains(v, StringComparison.Ordinal)))
            {
                yield return error.Message;
            }
        }
    }

    /// <summary>The option of <paramref name="command"/> that <paramref name="typed"/> misspells (at most 2 edits, case ignored), if any.</summary>
    private static string? ClosestOption(Command command, string typed)
    {
        var word = typed.Split('=', ':')[0].ToLowerInvariant();
        if (word.Length > 40)
        {
            return null; // no option of ours is this long: not a typo, and no quadratic work on it
        }

        return command.Options
            .SelectMany(o => o.Aliases.Prepend(o.Name))
            .Where(name => name.StartsWith("--", StringComparison.Ordinal))
            .Select(name => (Name: name, Distance: Distance(word, name)))
            .Where(x => x.Distance is > 0 and <= 2)
            .OrderBy(x => x.Distance)
            .ThenBy(x => x.Name, StringComparer.Ordinal)
            .Select(x => x.Name)
            .FirstOrDefault();
    }

    /// <summary>The Levenshtein distance of two short strings.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The argument tokens no command, option or argument consumed, in command-line order.</summary>
    private static List<Token> Unmatched(ParseResult parse)
    {
        var consumed = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        Collect(parse.RootCommandResult, consumed);
        return [.. parse.Tokens.Where(t => t.Type == TokenType.Argument && !consumed.Contains(t))];
    }

    private static void Collect(SymbolResult result, HashSet<Token> consumed)
    {
        consumed.UnionWith(result.Tokens);
        if (result is CommandResult command)
        {
            foreach (var child in command.Children)
            {
                Collect(child, consumed);
            }
        }
    }

    /// <summary>
    /// The 1-based position in <paramref name="args"/> of each token: <c>--opt=value</c> is one word but two tokens. A
    /// token that does not line up (a response file's) has no position.
    /// </summary>
    private static Dictionary<Token, int> Positions(IReadOnlyList<Token> tokens, IReadOnlyList<string> args)
    {
        var positions = new Dictionary<Token, int>(ReferenceEqualityComparer.Instance);
        var j = 0;
        for (var i = 0; i < tokens.Count && j < args.Count; i++, j++)
        {
            var value = tokens[i].Value;
            if (args[j] == value)
            {
                positions[tokens[i]] = j + 1;
            }
            else if (i + 1 < tokens.Count && (args[j] == $"{value}={tokens[i + 1].Value}" || args[j] == $"{value}:{tokens[i + 1].Value}"))
            {
                positions[tokens[i]] = positions[tokens[i + 1]] = j + 1;
                i++;
            }
            else
            {
                break; // no longer lined up: the rest is not located rather than located wrongly
            }
        }

        return positions;
    }
}
