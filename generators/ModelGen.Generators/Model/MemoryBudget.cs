using System;
using System.Globalization;

namespace ModelGen.Generators.Model;

/// <summary>Parses <c>[Model(MemoryBudget = "...")]</c>: a number, an optional space, an optional unit.</summary>
internal static class MemoryBudget
{
    /// <summary>What the parser accepts, for messages.</summary>
    public const string AcceptedSyntax =
        "a number with an optional unit: B, KB, MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024), " +
        "e.g. \"4 MiB\", \"1.5 GB\", \"512 KB\", \"1048576\"";

    /// <summary>
    /// Parses <paramref name="text"/> (<c>"4 MiB"</c>, <c>"1.5GB"</c>, <c>"512 kb"</c>, <c>"1048576"</c>) into bytes,
    /// truncating fractions of a byte. Units are case-insensitive; a bare number is bytes. False when the text does not
    /// have that form or the result does not fit a <see cref="long"/>.
    /// </summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var numberEnd = ScanNumber(text);
        if (numberEnd == 0)
        {
            return false;
        }

        var unitStart = numberEnd < text.Length && text[numberEnd] == ' ' ? numberEnd + 1 : numberEnd;
        var unit = text.Substring(unitStart);
        if ((unitStart > numberEnd && unit.Length == 0) || !TryGetUnitBytes(unit, out var unitBytes))
        {
            return false;
        }

        // Decimal keeps "1.1 GB" exact, where double would round to 1099999999 bytes.
        if (!decimal.TryParse(text.Substring(0, numberEnd), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number > long.MaxValue)
        {
            return false;
        }

        var total = decimal.Truncate(number * unitBytes);
        if (total > long.MaxValue)
        {
            return false;
        }

        bytes = (long)total;
        return true;
    }

    // Length of the leading "digits[.digits]", or 0 when the text does not start with one.
    private static int ScanNumber(string text)
    {
        var i = SkipDigits(text, 0);
        if (i == 0 || i == text.Length || text[i] != '.')
        {
            return i;
        }

        var fractionEnd = SkipDigits(text, i + 1);
        return fractionEnd == i + 1 ? 0 : fractionEnd;
    }

    private static int SkipDigits(string text, int start)
    {
        var i = start;
        while (i < text.Length && text[i] >= '0' && text[i] <= '9')
        {
            i++;
        }

        return i;
    }

    private static bool TryGetUnitBytes(string unit, out long unitBytes)
    {
        // ASCII letters only: upper-casing would otherwise map look-alikes such as the dotless 'ı' onto 'I'.
        unitBytes = 0;
        foreach (var c in unit)
        {
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z'))
            {
                return false;
            }
        }

        unitBytes = unit.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" => 1000,
            "MB" => 1000 * 1000,
            "GB" => 1000 * 1000 * 1000,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            _ => 0,
        };
        return unitBytes != 0;
    }
}
