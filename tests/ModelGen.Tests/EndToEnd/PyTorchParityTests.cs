namespace ModelGen.Tests.EndToEnd;

/// <summary>The generated models reproduce PyTorch's logits for the real trained fashion_mlp.</summary>
public sealed class PyTorchParityTests
{
    [Fact]
    public void Float32_matches_pytorch_logits_within_1e4_and_top1_on_every_image()
    {
        using var model = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        float[] logits = ReferenceData.Logits(model);

        float maxError = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(logits[i] - ReferenceData.PyTorchLogits[i]));
        }

        Assert.True(maxError <= 1e-4f, $"max |logit - PyTorch| = {maxError:G3}");
        Assert.Equal(ReferenceData.Top1(ReferenceData.PyTorchLogits), ReferenceData.Top1(logits));
    }

    [Theory]
    [InlineData("fashion_mlp.f16.safetensors")]
    [InlineData("fashion_mlp.bf16.safetensors")]
    public void Float32_layers_load_half_precision_files(string file)
    {
        using var model = MlpF32.Load(ReferenceData.ModelPath(file));
        double agreement = ReferenceData.Agreement(ReferenceData.Top1(ReferenceData.PyTorchLogits), ReferenceData.Top1(ReferenceData.Logits(model)));
        Assert.True(agreement >= 0.99, $"top-1 agreement {agreement:P2}");
    }

    [Fact]
    public void Float16_weights_agree_with_pytorch()
    {
        using var model = MlpF16.Load(ReferenceData.ModelPath("fashion_mlp.f16.safetensors"));
        AssertAgreesWithPyTorch(model, minimum: 0.99, maxLogitError: 0.02f);
    }

    [Fact]
    public void BFloat16_weights_agree_with_pytorch()
    {
        using var model = MlpBF16.Load(ReferenceData.ModelPath("fashion_mlp.bf16.safetensors"));
        AssertAgreesWithPyTorch(model, minimum: 0.99, maxLogitError: 0.15f);
    }

    [Fact]
    public void Int8_top1_agrees_with_float32_on_at_least_99_percent()
    {
        using var fp32 = MlpF32.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        using var int8 = MlpInt8.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        double agreement = ReferenceData.Agreement(ReferenceData.Top1(ReferenceData.Logits(fp32)), ReferenceData.Top1(ReferenceData.Logits(int8)));
        Assert.True(agreement >= 0.99, $"int8 top-1 agreement with fp32: {agreement:P2}");
    }

    [Fact]
    public void Softmax_output_rows_are_probabilities_with_the_same_top1()
    {
        using var model = MlpMixedSoftmax.Load(ReferenceData.ModelPath("fashion_mlp.safetensors"));
        float[] probabilities = ReferenceData.Logits(model);
        for (int i = 0; i < ReferenceData.Count; i++)
        {
            var row = probabilities.AsSpan(i * ReferenceData.Classes, ReferenceData.Classes);
            Assert.All(row.ToArray(), p => Assert.InRange(p, 0f, 1f));
            Assert.Equal(1.0, row.ToArray().Sum(), 4);
        }

        double agreement = ReferenceData.Agreement(ReferenceData.Top1(ReferenceData.PyTorchLogits), ReferenceData.Top1(probabilities));
        Assert.True(agreement >= 0.99, $"top-1 agreement {agreement:P2}");
    }

    private static void AssertAgreesWithPyTorch(IModel model, double minimum, float maxLogitError)
    {
        float[] logits = ReferenceData.Logits(model);
        float maxError = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            maxError = Math.Max(maxError, Math.Abs(logits[i] - ReferenceData.PyTorchLogits[i]));
        }

        double agreement = ReferenceData.Agreement(ReferenceData.Top1(ReferenceData.PyTorchLogits), ReferenceData.Top1(logits));
        Assert.True(agreement >= minimum, $"top-1 agreement {agreement:P2}");
        Assert.True(maxError <= maxLogitError, $"max |logit - PyTorch| = {maxError:G3}");
    }
}
