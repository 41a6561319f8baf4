using System.Globalization;

namespace ModelGen.Numerics;

/// <summary>Formats values for error messages the same way on every machine.</summary>
internal static class FloatFormat
{
    /// <summary>NaN, +Inf, -Inf, or the shortest round-trip text.</summary>
    public static string Describe(float value) =>
        float.IsNaN(value) ? "NaN"
        : float.IsPositiveInfinity(value) ? "+Inf"
        : float.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
