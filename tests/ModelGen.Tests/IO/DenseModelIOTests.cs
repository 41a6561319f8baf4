using ModelGen.IO;
using ModelGen.Numerics;
using ModelGen.Quantization;

namespace ModelGen.Tests.IO;

public class DenseModelIOTests
{
    public static TheoryData<string, Precision> FilesAndPrecisions()
    {
        var data = new TheoryData<string, Precision>();
        foreach (string file in new[] { "fashion_mlp.safetensors", "fashion_mlp.f16.safetensors", "fashion_mlp.bf16.safetensors" })
        {
            // The one-value-per-weight precisions; the others are SchemeModelTests' and the quantizers' tests.
            foreach (Precision precision in new[] { Precision.Float32, Precision.Float16, Precision.BFloat16, Precision.Int8 })
            {
                data.Add(file, precision);
            }
        }

        return data;
    }

    [Fact]
    public void Loads_fp32_weights_bit_exactly_and_reproduces_the_reference_logits()
    {
        DenseLayer[] layers = Layouts.FashionMlp(Precision.Float32, out long blockBytes);
        using NativeBlock block = LoadFile(TestFiles.FashionMlp, layers, blockBytes);
        using SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlp);

        Assert.Equal(file.ReadFloat32("hidden.weight"), block.AsSpan<float>(layers[0].WeightOffset, 256 * 784).ToArray());
        Assert.Equal(file.ReadFloat32("output.bias"), block.AsSpan<float>(layers[1].BiasOffset, 10).ToArray());

        (double maxDiff, int correct) = Evaluate(block, layers);
        Assert.True(maxDiff < 1e-4, $"max |logit diff| {maxDiff}");
        Assert.Equal(222, correct);
    }

    [Theory]
    [MemberData(nameof(FilesAndPrecisions))]
    public void Loads_every_reference_file_at_every_precision(string name, Precision precision)
    {
        string path = Path.Combine(TestFiles.Models, name);
        DenseLayer[] layers = Layouts.FashionMlp(precision, out long blockBytes);
        using NativeBlock block = LoadFile(path, layers, blockBytes);
        using SafeTensorsFile file = SafeTensorsFile.Open(path);

        // The block equals the file's values, widened exactly, then converted by the Numerics/Quantization code.
        byte[] expected = new byte[block.Length];
        foreach (DenseLayer layer in layers)
        {
            float[] weights = file.ReadFloat32(layer.Name + ".weight");
            Pack(expected, layer, weights);
            file.ReadFloat32(layer.Name + ".bias").AsSpan().CopyTo(
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(expected.AsSpan(layer.BiasOffset, 4 * layer.OutFeatures)));
        }

        Assert.Equal(expected, block.AsBytes().ToArray());
    }

    [Theory]
    [InlineData(Precision.Float16, "fashion_mlp.f16.safetensors")]
    [InlineData(Precision.BFloat16, "fashion_mlp.bf16.safetensors")]
    public void Rounding_fp32_weights_matches_the_PyTorch_casts(Precision precision, string castFile)
    {
        DenseLayer[] layers = Layouts.FashionMlp(precision, out long blockBytes);
        using NativeBlock block = LoadFile(TestFiles.FashionMlp, layers, blockBytes);
        using SafeTensorsFile cast = SafeTensorsFile.Open(Path.Combine(TestFiles.Models, castFile));

        foreach (DenseLayer layer in layers)
        {
            Assert.Equal(Numerics.HalfConversionTests.ReadBits(cast, layer.Name + ".weight"),
                block.AsSpan<ushort>(layer.WeightOffset, layer.InFeatures * layer.OutFeatures).ToArray());
        }
    }

    [Theory]
    [InlineData(Precision.Float16, 0.005)]
    [InlineData(Precision.BFloat16, 0.08)]
    [InlineData(Precision.Int8, 0.25)]
    public void Reduced_precision_models_stay_accurate(Precision precision, double tolerance)
    {
        DenseLayer[] layers = Layouts.FashionMlp(precision, out long blockBytes);
        using NativeBlock block = LoadFile(TestFiles.FashionMlp, layers, blockBytes);

        (double maxDiff, int correct) = Evaluate(block, layers);

        Assert.True(maxDiff < tolerance, $"max |logit diff| {maxDiff}");
        Assert.InRange(correct, 219, 225);
    }

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.Float16)]
    [InlineData(Precision.BFloat16)]
    [InlineData(Precision.Int8)]
    public void Save_then_load_gives_a_bit_identical_block(Precision precision)
    {
        DenseLayer[] layers = Layouts.FashionMlp(precision, out long blockBytes);
        using NativeBlock original = LoadFile(TestFiles.FashionMlp, layers, blockBytes);

        byte[] saved = Save(layers, original);
        using NativeBlock reloaded = DenseModelIO.Load(new MemoryStream(saved), "FashionMlp", layers, blockBytes);
        using NativeBlock streamed = DenseModelIO.Load(new NonSeekableStream(saved), "FashionMlp", layers, blockBytes);

        Assert.Equal(original.AsBytes().ToArray(), reloaded.AsBytes().ToArray());
        Assert.Equal(original.AsBytes().ToArray(), streamed.AsBytes().ToArray());
        Assert.Equal(saved, Save(layers, reloaded));
    }

    [Fact]
    public void Saves_packed_tensors_with_ModelGen_metadata()
    {
        DenseLayer[] layers = Layouts.FashionMlp(Precision.Int8, out long blockBytes);
        using NativeBlock block = LoadFile(TestFiles.FashionMlp, layers, blockBytes);

        using SafeTensorsFile saved = TestFiles.Open(Save(layers, block));

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["format"] = "modelgen",
                ["modelgen.version"] = "2",
                ["modelgen.model"] = "FashionMlp",
                ["modelgen.layer.hidden.precision"] = "Int8",
                ["modelgen.layer.hidden.storage"] = "Int8",
                ["modelgen.layer.output.precision"] = "Int8",
                ["modelgen.layer.output.storage"] = "Int8",
            },
            saved.Metadata);
        Assert.Equal(["format", "modelgen.version", "modelgen.model", "modelgen.layer.hidden.precision", "modelgen.layer.hidden.storage",
            "modelgen.layer.output.precision", "modelgen.layer.output.storage"],
            saved.Metadata.Keys);
        Assert.Equal(
            ["hidden.bias: F32 [256]", "hidden.weight: I8 [256, 784]", "hidden.weight_scale: F32 [256]",
             "output.bias: F32 [10]", "output.weight: I8 [10, 256]", "output.weight_scale: F32 [10]"],
            saved.Tensors.Select(t => t.ToString()));
    }

    [Fact]
    public void A_ModelGen_file_loads_under_another_model_name()
    {
        DenseLayer[] layers = Layouts.FashionMlp(Precision.BFloat16, out long blockBytes);
        using NativeBlock block = LoadFile(TestFiles.FashionMlp, layers, blockBytes);
        byte[] saved = Save(layers, block);

        using NativeBlock renamed = DenseModelIO.Load(new MemoryStream(saved), "SomethingElse", layers, blockBytes);

        Assert.Equal(block.AsBytes().ToArray(), renamed.AsBytes().ToArray());
    }

    [Fact]
    public void Loads_from_a_non_seekable_stream()
    {
        DenseLayer[] layers = Layouts.FashionMlp(Precision.Float16, out long blockBytes);
        using NativeBlock seekable = LoadFile(TestFiles.FashionMlp, layers, blockBytes);

        using NativeBlock streamed = DenseModelIO.Load(new NonSeekableStream(File.ReadAllBytes(TestFiles.FashionMlp)),
            "FashionMlp", layers, blockBytes);

        Assert.Equal(seekable.AsBytes().ToArray(), streamed.AsBytes().ToArray());
        var limited = new LoadOptions { MaxBufferedBytes = 1000 };
        var error = Assert.Throws<ModelFormatException>(() => DenseModelIO.Load(
            new NonSeekableStream(File.ReadAllBytes(TestFiles.FashionMlp)), "FashionMlp", layers, blockBytes, limited));
        Assert.Contains("non-seekable", error.Message);
    }

    [Theory]
    [InlineData(Precision.Float32)]
    [InlineData(Precision.Float16)]
    [InlineData(Precision.BFloat16)]
    [InlineData(Precision.Int8)]
    public void Loads_F64_sources_rounding_once(Precision precision)
    {
        double[] weights = [0.1, -2.5, 1 + Math.Pow(2, -8) + Math.Pow(2, -30), 3e-5, 1e-3, -0.75];
        double[] bias = [0.5, -1e-3];
        byte[] file = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.F64, weights, 2, 3);
            w.AddTensor("a.bias", SafeTensorsDType.F64, bias, 2);
        });
        DenseLayer[] layers = Tiny(precision, out long blockBytes);

        using NativeBlock block = DenseModelIO.Load(new MemoryStream(file), "Tiny", layers, blockBytes);

        DenseLayer layer = layers[0];
        switch (precision)
        {
            case Precision.Float32:
                Assert.Equal(weights.Select(v => (float)v), block.AsSpan<float>(layer.WeightOffset, 6).ToArray());
                break;
            case Precision.Float16:
                Assert.Equal(weights.Select(HalfConversion.FromDouble), block.AsSpan<ushort>(layer.WeightOffset, 6).ToArray());
                break;
            case Precision.BFloat16:
                Assert.Equal(weights.Select(BFloat16Conversion.FromDouble), block.AsSpan<ushort>(layer.WeightOffset, 6).ToArray());
                Assert.Equal(0x3F81, block.AsSpan<ushort>(layer.WeightOffset, 6)[2]);
                break;
            case Precision.Int8:
                Assert.Equal([2.5f / 127, 0.75f / 127], block.AsSpan<float>(layer.ScaleOffset, 2).ToArray());
                break;
        }

        Assert.Equal(bias.Select(v => (float)v), block.AsSpan<float>(layer.BiasOffset, 2).ToArray());
    }

    [Fact]
    public void Rejects_a_missing_weight_or_bias()
    {
        AssertLoadFails(Write(w => w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2)),
            Precision.Float32, "no tensor 'a.weight'", "layer 'a'", "[2, 3]");
        AssertLoadFails(Write(w => w.AddTensor("a.weight", SafeTensorsDType.F32, new float[6], 2, 3)),
            Precision.Float32, "no tensor 'a.bias'", "bias", "[2]");
    }

    [Theory]
    [InlineData(3, 2, "Tensor 'a.weight' has shape [3, 2]", "expects [2, 3]")]
    [InlineData(6, 1, "Tensor 'a.weight' has shape [6, 1]", "expects [2, 3]")]
    public void Rejects_a_weight_of_the_wrong_shape(long rows, long cols, params string[] fragments) =>
        AssertLoadFails(Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.F32, new float[6], rows, cols);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
        }), Precision.Float32, fragments);

    [Fact]
    public void Rejects_a_bias_of_the_wrong_shape() =>
        AssertLoadFails(TinyFile(bias: new float[3]), Precision.Float32, "Tensor 'a.bias' has shape [3]", "expects [2]");

    [Fact]
    public void Rejects_weights_of_the_wrong_dtype()
    {
        byte[] longs = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.I64, new long[6], 2, 3);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
        });
        AssertLoadFails(longs, Precision.Float32, "Tensor 'a.weight' has dtype I64", "expects F32, F16, BF16 or F64");
        AssertLoadFails(longs, Precision.Int8, "Tensor 'a.weight' has dtype I64", "or I8 with 'a.weight_scale'");

        byte[] int8 = PackedInt8File(new sbyte[6], [1f, 1f]);
        AssertLoadFails(int8, Precision.Float32, "Tensor 'a.weight' has dtype I8", "layer 'a' is Float32");
        AssertLoadFails(int8, Precision.Float16, "Tensor 'a.weight' has dtype I8", "Float16");

        byte[] boolBias = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.F32, new float[6], 2, 3);
            w.AddTensor("a.bias", SafeTensorsDType.BOOL, new byte[2], 2);
        });
        AssertLoadFails(boolBias, Precision.Float32, "Tensor 'a.bias' has dtype BOOL");
    }

    [Fact]
    public void Rejects_int8_weights_without_valid_scales()
    {
        byte[] noScales = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.I8, new sbyte[6], 2, 3);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
        });
        AssertLoadFails(noScales, Precision.Int8, "Tensor 'a.weight' is I8", "no tensor 'a.weight_scale'");
        AssertLoadFails(PackedInt8File(new sbyte[6], [1f, float.NaN]), Precision.Int8, "Tensor 'a.weight_scale' holds NaN at [1]");
        AssertLoadFails(PackedInt8File(new sbyte[6], [-0.5f, 1f]), Precision.Int8, "Tensor 'a.weight_scale' holds -0.5 at [0]", "non-negative");
        AssertLoadFails(PackedInt8File(new sbyte[6], [float.PositiveInfinity, 1f]), Precision.Int8, "holds +Inf at [0]");
        AssertLoadFails(PackedInt8File(new sbyte[6], [1f, 1f, 1f]), Precision.Int8, "Tensor 'a.weight_scale' has shape [3]", "expects [2]");
        AssertLoadFails(PackedInt8File([0, 0, 0, 0, sbyte.MinValue, 0], [1f, 1f]), Precision.Int8, "Tensor 'a.weight' holds -128 at [1, 1]");

        byte[] halfScales = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.I8, new sbyte[6], 2, 3);
            w.AddTensor("a.weight_scale", SafeTensorsDType.F16, new ushort[2], 2);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
        });
        AssertLoadFails(halfScales, Precision.Int8, "Tensor 'a.weight_scale' has dtype F16; expected F32");
    }

    [Fact]
    public void Loads_packed_int8_weights_as_they_are()
    {
        sbyte[] q = [1, -2, 3, 127, -127, 0];
        DenseLayer[] layers = Tiny(Precision.Int8, out long blockBytes);

        using NativeBlock block = DenseModelIO.Load(new MemoryStream(PackedInt8File(q, [0.5f, 0f])), "Tiny", layers, blockBytes);

        Assert.Equal(q, block.AsSpan<sbyte>(layers[0].WeightOffset, 6).ToArray());
        Assert.Equal([0.5f, 0f], block.AsSpan<float>(layers[0].ScaleOffset, 2).ToArray());
    }

    [Theory]
    [InlineData(Precision.Float32, "Tensor 'a.weight' holds NaN at [1, 2]; values must be finite.")]
    [InlineData(Precision.Float16, "Tensor 'a.weight' holds NaN at [1, 2] after conversion from F32 to Float16")]
    [InlineData(Precision.BFloat16, "Tensor 'a.weight' holds NaN at [1, 2] after conversion from F32 to BFloat16")]
    [InlineData(Precision.Int8, "Cannot quantize 'a.weight': row 1, column 2 holds NaN")]
    public void Rejects_NaN_weights(Precision precision, string message) =>
        AssertLoadFails(TinyFile(weights: [1, 2, 3, 4, 5, float.NaN]), precision, message);

    [Fact]
    public void Rejects_a_bias_that_is_not_finite() =>
        AssertLoadFails(TinyFile(bias: [0, float.NegativeInfinity]), Precision.Float16, "Tensor 'a.bias' holds -Inf at [1]");

    [Fact]
    public void Rejects_weights_beyond_the_fp16_range() =>
        AssertLoadFails(TinyFile(weights: [1, 2, 1e5f, 4, 5, 6]), Precision.Float16,
            "Tensor 'a.weight' holds +Inf at [0, 2] after conversion from F32 to Float16", "within the Float16 range");

    [Fact]
    public void Rejects_unused_tensors_unless_asked_to_ignore_them()
    {
        byte[] file = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.F32, new float[6], 2, 3);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
            w.AddTensor("optimizer.step", SafeTensorsDType.I64, new long[1], 1);
            w.AddTensor("b.weight", SafeTensorsDType.F32, new float[1], 1);
        });
        DenseLayer[] layers = Tiny(Precision.Float32, out long blockBytes);

        AssertLoadFails(file, Precision.Float32, "2 tensor(s) that model 'Tiny' does not use: 'b.weight', 'optimizer.step'", "IgnoreExtraTensors");
        using NativeBlock block = DenseModelIO.Load(new MemoryStream(file), "Tiny", layers, blockBytes,
            new LoadOptions { IgnoreExtraTensors = true });
        Assert.Equal(new float[6], block.AsSpan<float>(layers[0].WeightOffset, 6).ToArray());
    }

    [Fact]
    public void A_bias_the_layer_does_not_have_is_an_unused_tensor()
    {
        DenseLayer[] layers = Layouts.Build(out long blockBytes, ("a", 3, 2, Precision.Float32, false));

        var error = Assert.Throws<ModelFormatException>(() => DenseModelIO.Load(new MemoryStream(TinyFile()), "Tiny", layers, blockBytes));

        Assert.Contains("does not use: 'a.bias'", error.Message);
    }

    [Fact]
    public void Float_weights_next_to_unused_scales_are_quantized_and_the_scales_reported()
    {
        byte[] file = Write(w =>
        {
            w.AddTensor("a.weight", SafeTensorsDType.F32, new float[6], 2, 3);
            w.AddTensor("a.weight_scale", SafeTensorsDType.F32, new float[2], 2);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
        });

        AssertLoadFails(file, Precision.Int8, "does not use: 'a.weight_scale'");
    }

    [Fact]
    public void Rejects_an_unknown_ModelGen_format_version()
    {
        // Version 1 is the earlier layout (int8 2:4 nibbles): refused rather than misread.
        byte[] file = Write(w =>
        {
            w.AddMetadata("format", "modelgen");
            w.AddMetadata("modelgen.version", "1");
            w.AddTensor("a.weight", SafeTensorsDType.F32, new float[6], 2, 3);
            w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
        });

        AssertLoadFails(file, Precision.Float32, "format version '1'", "reads version 2");
    }

    [Fact]
    public void Malformed_files_fail_as_ModelFormatException()
    {
        DenseLayer[] layers = Layouts.FashionMlp(Precision.Float32, out long blockBytes);
        byte[] bytes = File.ReadAllBytes(TestFiles.FashionMlp);

        var error = Assert.Throws<ModelFormatException>(() => DenseModelIO.Load(new MemoryStream(bytes[..^100]), "FashionMlp", layers, blockBytes));

        Assert.Contains("Tensor 'output.weight'", error.Message);
        Assert.Throws<ModelFormatException>(() => DenseModelIO.Load(new MemoryStream(), "FashionMlp", layers, blockBytes));
    }

    [Fact]
    public void Rejects_a_generated_layout_that_does_not_fit_the_block()
    {
        byte[] file = TinyFile();
        DenseLayer[] layers = Tiny(Precision.Float32, out long blockBytes);

        AssertLayoutError(file, layers, 64, "the tensor 'a.bias' (8 bytes at offset 64) does not fit the 64-byte weight block");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Float32, Activation.None, 32, -1, 64)], 128, "offset 32, not a multiple of 64");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Float32, Activation.None, 0, -1, 0)], 128, "overlap");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Int8, Activation.None, 0, -1, 64)], 128, "layer 'a' has no offset for its tensor 'a.weight_scale'");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Float32, Activation.None, 0, 64, 128)], 192, "has a Scale offset but no such tensor");
        AssertLayoutError(file, [new DenseLayer("a", 64, 2, Precision.Int4, Activation.None, 0, 64, 128)], 256, "is Int4 with group size 0");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Codebook16, Activation.None, 0, -1, 64) { Pruning = Pruning.TwoOfFour, StructureOffset = 128 }], 256, "is Codebook16 with TwoOfFour pruning");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Float32, Activation.None, 0, -1, 64) { Pruning = Pruning.Magnitude, Sparsity = 1 }], 256, "has sparsity 1 with Magnitude pruning");
        AssertLayoutError(file, [new DenseLayer("a", 3, 2, Precision.Float32, Activation.None, 0, -1, 64) { InputQuantization = InputQuantization.Static, InputScaleOffset = 128 }], 256, "has a static input scale but is not a dense Int8 layer");
        AssertLayoutError(file, [layers[0], layers[0]], 4 * blockBytes, "appears twice");
        AssertLayoutError(file, layers, -1, "-1 bytes");
        using var small = new NativeBlock(1);
        var error = Assert.Throws<InvalidOperationException>(() => DenseModelIO.Save(new MemoryStream(), "Tiny", layers, small));
        Assert.Contains("does not fit the 64-byte weight block", error.Message);
    }

    private static void AssertLayoutError(byte[] file, DenseLayer[] layers, long blockBytes, string fragment)
    {
        var error = Assert.Throws<InvalidOperationException>(() => DenseModelIO.Load(new MemoryStream(file), "Tiny", layers, blockBytes));
        Assert.Contains("generated weight layout of model 'Tiny'", error.Message);
        Assert.Contains(fragment, error.Message);
    }

    private static void AssertLoadFails(byte[] file, Precision precision, params string[] fragments)
    {
        DenseLayer[] layers = Tiny(precision, out long blockBytes);
        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => DenseModelIO.Load(new MemoryStream(file), "Tiny", layers, blockBytes)), fragments);
        TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => DenseModelIO.Load(new NonSeekableStream(file), "Tiny", layers, blockBytes)), fragments);
    }

    /// <summary>One layer "a": 3 -> 2 with bias.</summary>
    private static DenseLayer[] Tiny(Precision precision, out long blockBytes) =>
        Layouts.Build(out blockBytes, ("a", 3, 2, precision, true));

    private static byte[] TinyFile(float[]? weights = null, float[]? bias = null) => Write(w =>
    {
        weights ??= [1, 2, 3, 4, 5, 6];
        bias ??= [0.5f, -0.5f];
        w.AddTensor("a.weight", SafeTensorsDType.F32, weights, weights.Length / 3, 3);
        w.AddTensor("a.bias", SafeTensorsDType.F32, bias, bias.Length);
    });

    private static byte[] PackedInt8File(sbyte[] q, float[] scales) => Write(w =>
    {
        w.AddMetadata("format", "modelgen");
        w.AddMetadata("modelgen.version", "2");
        w.AddTensor("a.weight", SafeTensorsDType.I8, q, 2, 3);
        w.AddTensor("a.weight_scale", SafeTensorsDType.F32, scales, scales.Length);
        w.AddTensor("a.bias", SafeTensorsDType.F32, new float[2], 2);
    });

    private static byte[] Write(Action<SafeTensorsWriter> build)
    {
        var writer = new SafeTensorsWriter();
        build(writer);
        var stream = new MemoryStream();
        writer.WriteTo(stream);
        return stream.ToArray();
    }

    private static NativeBlock LoadFile(string path, DenseLayer[] layers, long blockBytes)
    {
        using FileStream stream = File.OpenRead(path);
        return DenseModelIO.Load(stream, "FashionMlp", layers, blockBytes);
    }

    private static byte[] Save(DenseLayer[] layers, NativeBlock block)
    {
        var stream = new MemoryStream();
        DenseModelIO.Save(stream, "FashionMlp", layers, block);
        return stream.ToArray();
    }

    /// <summary>Writes a layer's weights at its precision into <paramref name="block"/>, as the loader should.</summary>
    private static void Pack(byte[] block, DenseLayer layer, float[] weights)
    {
        Span<byte> target = block.AsSpan(layer.WeightOffset, (int)layer.WeightMatrixBytes);
        switch (layer.Precision)
        {
            case Precision.Float32:
                weights.AsSpan().CopyTo(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(target));
                break;
            case Precision.Float16:
                HalfConversion.FromSingle(weights, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(target));
                break;
            case Precision.BFloat16:
                BFloat16Conversion.FromSingle(weights, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(target));
                break;
            case Precision.Int8:
                Int8Quantizer.QuantizeRows(weights, layer.OutFeatures, layer.InFeatures,
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(target),
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(block.AsSpan(layer.ScaleOffset, 4 * layer.OutFeatures)));
                break;
        }
    }

    /// <summary>Runs the MLP in plain fp32 on the dequantized weights; returns the max logit error and the correct count.</summary>
    private static (double MaxDiff, int Correct) Evaluate(NativeBlock block, DenseLayer[] layers)
    {
        using SafeTensorsFile reference = SafeTensorsFile.Open(TestFiles.FashionMlpReference);
        float[] x = reference.ReadFloat32("input");
        float[] logits = reference.ReadFloat32("logits");
        long[] labels = reference.ReadInt64("labels");
        const int batch = 256;

        foreach (DenseLayer layer in layers)
        {
            float[] w = Dequantize(block, layer);
            ReadOnlySpan<float> bias = block.AsSpan<float>(layer.BiasOffset, layer.OutFeatures);
            float[] y = new float[batch * layer.OutFeatures];
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<float> row = x.AsSpan(b * layer.InFeatures, layer.InFeatures);
                for (int o = 0; o < layer.OutFeatures; o++)
                {
                    ReadOnlySpan<float> weights = w.AsSpan(o * layer.InFeatures, layer.InFeatures);
                    float sum = bias[o];
                    for (int i = 0; i < row.Length; i++)
                    {
                        sum += row[i] * weights[i];
                    }

                    y[b * layer.OutFeatures + o] = layer.Activation == Activation.Relu ? Math.Max(sum, 0) : sum;
                }
            }

            x = y;
        }

        double maxDiff = 0;
        int correct = 0;
        for (int b = 0; b < batch; b++)
        {
            int best = 0;
            for (int o = 0; o < 10; o++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(x[b * 10 + o] - logits[b * 10 + o]));
                best = x[b * 10 + o] > x[b * 10 + best] ? o : best;
            }

            correct += best == labels[b] ? 1 : 0;
        }

        return (maxDiff, correct);
    }

    private static float[] Dequantize(NativeBlock block, DenseLayer layer)
    {
        int count = layer.InFeatures * layer.OutFeatures;
        float[] w = new float[count];
        switch (layer.Precision)
        {
            case Precision.Float32:
                block.AsSpan<float>(layer.WeightOffset, count).CopyTo(w);
                break;
            case Precision.Float16:
                HalfConversion.ToSingle(block.AsSpan<ushort>(layer.WeightOffset, count), w);
                break;
            case Precision.BFloat16:
                BFloat16Conversion.ToSingle(block.AsSpan<ushort>(layer.WeightOffset, count), w);
                break;
            case Precision.Int8:
                Int8Quantizer.DequantizeRows(block.AsSpan<sbyte>(layer.WeightOffset, count),
                    block.AsSpan<float>(layer.ScaleOffset, layer.OutFeatures), layer.OutFeatures, layer.InFeatures, w);
                break;
        }

        return w;
    }
}
