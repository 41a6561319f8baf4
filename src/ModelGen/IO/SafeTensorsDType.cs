namespace ModelGen.IO;

/// <summary>Element types of a safetensors file, named as in the header's <c>dtype</c> field.</summary>
public enum SafeTensorsDType
{
    /// <summary>Boolean, one byte.</summary>
    BOOL,
    /// <summary>Unsigned 8-bit integer.</summary>
    U8,
    /// <summary>Signed 8-bit integer.</summary>
    I8,
    /// <summary>8-bit float, 5 exponent and 2 mantissa bits.</summary>
    F8_E5M2,
    /// <summary>8-bit float, 4 exponent and 3 mantissa bits.</summary>
    F8_E4M3,
    /// <summary>Signed 16-bit integer.</summary>
    I16,
    /// <summary>Unsigned 16-bit integer.</summary>
    U16,
    /// <summary>IEEE binary16.</summary>
    F16,
    /// <summary>bfloat16: the upper half of an IEEE binary32.</summary>
    BF16,
    /// <summary>Signed 32-bit integer.</summary>
    I32,
    /// <summary>Unsigned 32-bit integer.</summary>
    U32,
    /// <summary>IEEE binary32.</summary>
    F32,
    /// <summary>IEEE binary64.</summary>
    F64,
    /// <summary>Signed 64-bit integer.</summary>
    I64,
    /// <summary>Unsigned 64-bit integer.</summary>
    U64,
}

/// <summary>Sizes and names of <see cref="SafeTensorsDType"/> values.</summary>
public static class SafeTensorsDTypes
{
    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int SizeOf(SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.BOOL or SafeTensorsDType.U8 or SafeTensorsDType.I8
            or SafeTensorsDType.F8_E5M2 or SafeTensorsDType.F8_E4M3 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype."),
    };

    /// <summary>The header spelling of <paramref name="dtype"/> (e.g. <c>"BF16"</c>).</summary>
    public static string Name(SafeTensorsDType dtype) =>
        Enum.IsDefined(dtype) ? dtype.ToString() : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Unknown safetensors dtype.");

    /// <summary>Parses a header <c>dtype</c> string; the match is exact (case-sensitive), as the format specifies.</summary>
    public static bool TryParse(string name, out SafeTensorsDType dtype)
    {
        // Enum.TryParse would also accept numbers and other casings.
        foreach (SafeTensorsDType candidate in Enum.GetValues<SafeTensorsDType>())
        {
            if (string.Equals(candidate.ToString(), name, StringComparison.Ordinal))
            {
                dtype = candidate;
                return true;
            }
        }

        dtype = default;
        return false;
    }

    /// <summary>Whether <paramref name="dtype"/> is a float type ModelGen converts to fp32 (F64, F32, F16, BF16).</summary>
    public static bool IsConvertibleFloat(SafeTensorsDType dtype) =>
        dtype is SafeTensorsDType.F64 or SafeTensorsDType.F32 or SafeTensorsDType.F16 or SafeTensorsDType.BF16;
}
