using System.Buffers;
using System.Runtime.InteropServices;
using ModelGen.Numerics;
using ModelGen.Quantization;

namespace ModelGen.IO;

/// <summary>Converting matched tensors into the weight block, a bounded chunk at a time.</summary>
public static partial class DenseModelIO
{
    /// <summary>Elements converted per step through a pooled buffer, so loading needs no full-tensor temporary.</summary>
    private const int ChunkElements = 16 * 1024;

    private delegate void ReadChunk<T>(TensorEntry tensor, long elementOffset, Span<T> destination);

    private delegate void NarrowChunk<T>(ReadOnlySpan<T> source, Span<ushort> destination);

    private static void Fill(SafeTensorsFile file, DenseLayer layer, LayerTensors tensors, NativeBlock block)
    {
        int count = checked(layer.InFeatures * layer.OutFeatures);
        TensorEntry weight = tensors.Weight!;
        switch (layer.Precision)
        {
            case Precision.Float32:
                Span<float> values = block.AsSpan<float>(layer.WeightOffset, count);
                file.ReadFloat32(weight, 0, values);
                CheckFinite(values, weight, layer.Precision);
                break;
            case Precision.Float16:
                Fill16(file, weight, block.AsSpan<ushort>(layer.WeightOffset, count), SafeTensorsDType.F16,
                    HalfConversion.FromSingle, HalfConversion.FromDouble, layer.Precision);
                break;
            case Precision.BFloat16:
                Fill16(file, weight, block.AsSpan<ushort>(layer.WeightOffset, count), SafeTensorsDType.BF16,
                    BFloat16Conversion.FromSingle, BFloat16Conversion.FromDouble, layer.Precision);
                break;
            case Precision.Int8:
                Span<sbyte> q = block.AsSpan<sbyte>(layer.WeightOffset, count);
                Span<float> scales = block.AsSpan<float>(layer.ScaleOffset, layer.OutFeatures);
                if (tensors.Scale is null)
                {
                    Quantize(file, weight, layer.OutFeatures, layer.InFeatures, q, scales);
                }
                else
                {
                    FillPackedInt8(file, weight, tensors.Scale, q, scales);
                }

                break;
            default:
                throw new InvalidOperationException($"Layer '{layer.Name}' has the unknown precision {layer.Precision}.");
        }

        if (tensors.Bias is not null)
        {
            Span<float> bias = block.AsSpan<float>(layer.BiasOffset, layer.OutFeatures);
            file.ReadFloat32(tensors.Bias, 0, bias);
            CheckFinite(bias, tensors.Bias, Precision.Float32);
        }
    }

    /// <summary>Fills fp16 or bf16 weights: a source of the same dtype is copied bit for bit, others are rounded once.</summary>
    private static void Fill16(SafeTensorsFile file, TensorEntry weight, Span<ushort> destination, SafeTensorsDType native,
        NarrowChunk<float> fromSingle, NarrowChunk<double> fromDouble, Precision precision)
    {
        if (weight.DType == native)
        {
            file.ReadBytes(weight, 0, MemoryMarshal.AsBytes(destination));
        }
        else if (weight.DType == SafeTensorsDType.F64)
        {
            // Straight from fp64: narrowing through fp32 first could round twice.
            NarrowInChunks(weight, destination, file.ReadFloat64, fromDouble);
        }
        else
        {
            NarrowInChunks(weight, destination, file.ReadFloat32, fromSingle);
        }

        int bad = FirstNonFinite16(destination, precision == Precision.Float16, out float value);
        if (bad >= 0)
        {
            throw NotFinite(weight, bad, value, precision);
        }
    }

    /// <summary>Index of the first fp16 (<paramref name="half"/>) or bf16 value that is not finite, with its value; -1 when all are.</summary>
    internal static int FirstNonFinite16(ReadOnlySpan<ushort> values, bool half, out float value)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (half ? !HalfConversion.IsFinite(values[i]) : !BFloat16Conversion.IsFinite(values[i]))
            {
                value = half ? HalfConversion.ToSingle(values[i]) : BFloat16Conversion.ToSingle(values[i]);
                return i;
            }
        }

        value = 0;
        return -1;
    }

    private static void NarrowInChunks<T>(TensorEntry tensor, Span<ushort> destination, ReadChunk<T> read, NarrowChunk<T> narrow)
    {
        T[] buffer = ArrayPool<T>.Shared.Rent(Math.Min(destination.Length, ChunkElements));
        try
        {
            for (int done = 0; done < destination.Length;)
            {
                int count = Math.Min(buffer.Length, destination.Length - done);
                Span<T> chunk = buffer.AsSpan(0, count);
                read(tensor, done, chunk);
                narrow(chunk, destination.Slice(done, count));
                done += count;
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }
    }

    /// <summary>Quantizes float weights a few rows at a time (at least one row) through a pooled buffer.</summary>
    private static void Quantize(SafeTensorsFile file, TensorEntry weight, int rows, int cols, Span<sbyte> q, Span<float> scales)
    {
        int rowsPerChunk = Math.Clamp(ChunkElements / cols, 1, rows);
        float[] buffer = ArrayPool<float>.Shared.Rent(rowsPerChunk * cols);
        try
        {
            for (int row = 0; row < rows;)
            {
                int count = Math.Min(rowsPerChunk, rows - row);
                Span<float> chunk = buffer.AsSpan(0, count * cols);
                file.ReadFloat32(weight, (long)row * cols, chunk);
                Int8Quantizer.QuantizeRows(chunk, count, cols, q.Slice(row * cols, count * cols), scales.Slice(row, count),
                    weight.Name, row);
                row += count;
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void FillPackedInt8(SafeTensorsFile file, TensorEntry weight, TensorEntry scale, Span<sbyte> q, Span<float> scales)
    {
        file.ReadBytes(weight, 0, MemoryMarshal.AsBytes(q));
        int outOfRange = q.IndexOf(sbyte.MinValue);
        if (outOfRange >= 0)
        {
            throw new ModelFormatException(
                $"Tensor '{weight.Name}' holds -128 at {Position(weight, outOfRange)}; ModelGen int8 weights lie in [-127, 127].");
        }

        file.ReadFloat32(scale, 0, scales);
        for (int i = 0; i < scales.Length; i++)
        {
            if (!float.IsFinite(scales[i]) || scales[i] < 0)
            {
                throw new ModelFormatException(
                    $"Tensor '{scale.Name}' holds {FloatFormat.Describe(scales[i])} at {Position(scale, i)}; scales must be finite and non-negative.");
            }
        }
    }

    private static void CheckFinite(ReadOnlySpan<float> values, TensorEntry tensor, Precision precision)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw NotFinite(tensor, i, values[i], precision);
            }
        }
    }

    private static ModelFormatException NotFinite(TensorEntry tensor, long index, float value, Precision precision)
    {
        // A finite source value can still overflow the narrower target (e.g. 1e5 in fp16): say so.
        bool converted = tensor.DType != PackedDType(precision);
        string conversion = converted ? $" after conversion from {tensor.DType} to {precision}" : "";
        return new ModelFormatException(
            $"Tensor '{tensor.Name}' holds {FloatFormat.Describe(value)} at {Position(tensor, index)}{conversion}; values must be finite" +
            (converted ? $" and within the {precision} range." : "."));
    }

    /// <summary>Formats a flat element index as the tensor's multi-dimensional index, e.g. <c>[3, 17]</c>.</summary>
    internal static string Position(TensorEntry tensor, long index)
    {
        var position = new long[tensor.Shape.Count];
        for (int d = position.Length - 1; d >= 0; d--)
        {
            position[d] = index % tensor.Shape[d];
            index /= tensor.Shape[d];
        }

        return TensorEntry.FormatShape(position);
    }
}
