using System.Text.Json;

namespace Sieve.Core.Policy;

/// <summary>Collects the problems found while parsing and compiling one policy document.</summary>
internal sealed class PolicyDiagnostics
{
    private readonly List<(long Offset, int Order, PolicyError Error)> _errors = [];
    private readonly SourceLineMap _lines;

    public PolicyDiagnostics(string source, SourceLineMap lines)
    {
        Source = source;
        _lines = lines;
    }

    public string Source { get; }

    public bool HasErrors => _errors.Count > 0;

    /// <summary>Problems recorded so far.</summary>
    public int Count => _errors.Count;

    /// <summary>Records a problem at the token starting at byte <paramref name="offset"/>.</summary>
    public void Add(long offset, string problem)
    {
        (int line, int column) = _lines.PositionOf(offset);
        _errors.Add((offset, _errors.Count, new PolicyError(Source, line, column, problem)));
    }

    /// <summary>Records malformed JSON, converting the reader's zero-based line and byte position.</summary>
    public void AddSyntax(JsonException exception)
    {
        string message = exception.Message;
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        }

        string problem = "malformed JSON: " + (cut > 0 ? message[..cut] : message).TrimEnd();
        Add(_lines.OffsetOf(exception.LineNumber ?? 0, exception.BytePositionInLine ?? 0), problem);
    }

    /// <summary>How a list of names reads in an error message: <c>'a', 'b', 'c'</c>.</summary>
    public static string Quoted(IReadOnlyList<string> values)
    {
        var quoted = new string[values.Count];
        for (int i = 0; i < quoted.Length; i++)
        {
            quoted[i] = "'" + values[i] + "'";
        }

        return string.Join(", ", quoted);
    }

    /// <summary>The problems in document order.</summary>
    public IReadOnlyList<PolicyError> Errors()
    {
        var sorted = new List<(long Offset, int Order, PolicyError Error)>(_errors);
        sorted.Sort(static (a, b) => a.Offset != b.Offset ? a.Offset.CompareTo(b.Offset) : a.Order.CompareTo(b.Order));
        var result = new PolicyError[sorted.Count];
        for (int i = 0; i < sorted.Count; i++)
        {
            result[i] = sorted[i].Error;
        }

        return result;
    }
}
