using System;
using System.Globalization;
using System.Text;

namespace ModelGen.Generators.Emit;

/// <summary>
/// Builds C# text line by line at a current indentation. Takes <see cref="FormattableString"/> only, and formats every
/// hole with the invariant culture, so no number in generated code depends on the build machine's locale.
/// </summary>
internal sealed class IndentedWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _text = new();
    private int _depth;

    /// <summary>Writes an empty line.</summary>
    public void Line() => _text.Append('\n');

    /// <summary>Writes one indented line.</summary>
    public void Line(FormattableString line) => WriteIndented(line.ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes a block of lines (typically a raw string literal), each at the current indentation.</summary>
    public void Lines(FormattableString block)
    {
        foreach (var line in block.ToString(CultureInfo.InvariantCulture).Split('\n'))
        {
            var text = line.TrimEnd('\r');
            if (text.Length == 0)
            {
                Line();
            }
            else
            {
                WriteIndented(text);
            }
        }
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents what follows.</summary>
    public void Open(FormattableString header)
    {
        Line(header);
        WriteIndented("{");
        _depth++;
    }

    /// <summary>Ends the innermost <see cref="Open"/> with a closing brace.</summary>
    public void Close()
    {
        _depth--;
        WriteIndented("}");
    }

    /// <summary>Indents the following lines one level more (continuation lines).</summary>
    public void Indent() => _depth++;

    /// <summary>Ends an <see cref="Indent"/>.</summary>
    public void Unindent() => _depth--;

    /// <inheritdoc/>
    public override string ToString() => _text.ToString();

    private void WriteIndented(string text)
    {
        for (var i = 0; i < _depth; i++)
        {
            _text.Append(IndentUnit);
        }

        _text.Append(text).Append('\n');
    }
}
