namespace ModelGen.Quantization;

/// <summary>
/// Folds an eval-mode BatchNorm into the convolution (or linear layer) before it, at load time:
/// <c>BN(conv(x) + b) = conv'(x) + b'</c> with <c>scale = gamma / sqrt(var + eps)</c>, <c>W' = W * scale</c> per output
/// channel and <c>b' = (b - mean) * scale + beta</c>. Computed in double and rounded once, so the folded layer differs
/// from conv-then-BN only by fp32 rounding.
/// </summary>
public static class BatchNormFolding
{
    /// <summary>
    /// Folds in place: <paramref name="weights"/> <c>[outChannels, perChannel]</c> (a Conv2d's
    /// <c>[out, in / groups, kh, kw]</c> is <c>perChannel = in / groups * kh * kw</c>) and <paramref name="bias"/>
    /// <c>[outChannels]</c>. A convolution without a bias passes zeros, and its bias becomes
    /// <c>-mean * scale + beta</c>. Non-finite weights, bias or BatchNorm parameters, a negative variance, or
    /// <c>var + eps &lt;= 0</c> throw <see cref="ModelFormatException"/> naming the channel; nothing is written then.
    /// </summary>
    public static void Fold(Span<float> weights, Span<float> bias, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> variance, float epsilon, int outChannels, int perChannel)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegative(perChannel);
        if (!float.IsFinite(epsilon) || epsilon < 0)
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be finite and not negative.");
        long count = (long)outChannels * perChannel;
        if (weights.Length < count)
            throw new ArgumentException(
                $"weights has {weights.Length} elements; outChannels * perChannel = {count} are required.", nameof(weights));
        CheckChannels(bias.Length, outChannels, nameof(bias));
        CheckChannels(gamma.Length, outChannels, nameof(gamma));
        CheckChannels(beta.Length, outChannels, nameof(beta));
        CheckChannels(mean.Length, outChannels, nameof(mean));
        CheckChannels(variance.Length, outChannels, nameof(variance));

        // Everything is checked before anything is written, so a bad file leaves the weights as they were.
        for (int c = 0; c < outChannels; c++)
        {
            CheckFinite(gamma[c], nameof(gamma), c);
            CheckFinite(beta[c], nameof(beta), c);
            CheckFinite(mean[c], nameof(mean), c);
            CheckFinite(variance[c], nameof(variance), c);
            CheckFinite(bias[c], nameof(bias), c);
            if (variance[c] < 0)
                throw new ModelFormatException($"BatchNorm running variance of channel {c} is negative ({variance[c]}).");
            if ((double)variance[c] + epsilon <= 0)
                throw new ModelFormatException(
                    $"BatchNorm running variance + epsilon of channel {c} is 0: the normalization divides by zero.");
            ReadOnlySpan<float> row = weights.Slice(c * perChannel, perChannel);
            for (int i = 0; i < row.Length; i++)
                if (!float.IsFinite(row[i]))
                    throw new ModelFormatException($"Weight {i} of output channel {c} is {row[i]}: weights must be finite.");
        }
        for (int c = 0; c < outChannels; c++)
        {
            double scale = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
            Span<float> row = weights.Slice(c * perChannel, perChannel);
            for (int i = 0; i < row.Length; i++)
                row[i] = (float)(row[i] * scale);
            bias[c] = (float)((bias[c] - (double)mean[c]) * scale + beta[c]);
        }
    }

    private static void CheckChannels(int length, int outChannels, string name)
    {
        if (length < outChannels)
            throw new ArgumentException($"{name} has {length} elements; outChannels = {outChannels} are required.", name);
    }

    private static void CheckFinite(float value, string name, int channel)
    {
        if (!float.IsFinite(value))
            throw new ModelFormatException($"BatchNorm {name} of channel {channel} is {value}: it must be finite.");
    }
}
