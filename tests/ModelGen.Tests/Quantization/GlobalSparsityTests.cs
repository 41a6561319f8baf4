using ModelGen.IO;
using ModelGen.Kernels;
using ModelGen.Quantization;
using ModelGen.Tests.EndToEnd;
using ModelGen.Tests.IO;

namespace ModelGen.Tests.Quantization;

public class GlobalSparsityTests(ITestOutputHelper output)
{
    /// <summary>A layer description for planning: only the name and shape matter.</summary>
    private static DenseLayer Layer(string name, int inFeatures, int outFeatures, Pruning pruning = Pruning.None, double sparsity = 0) =>
        new(name, inFeatures, outFeatures, Precision.Float32, Activation.None, 0, -1, -1) { Pruning = pruning, Sparsity = sparsity };

    private static MemoryStream File(params (string Name, float[] Weights, int Rows, int Columns)[] tensors)
    {
        var writer = new SafeTensorsWriter();
        foreach (var (name, weights, rows, columns) in tensors)
        {
            writer.AddTensor(name + ".weight", SafeTensorsDType.F32, weights, rows, columns);
            writer.AddTensor(name + ".bias", SafeTensorsDType.F32, new float[rows], rows);
        }

        var stream = new MemoryStream();
        writer.WriteTo(stream);
        stream.Position = 0;
        return stream;
    }

    /// <summary>rows x columns weights with |w| uniform in (0, scale] and random signs.</summary>
    private static float[] Uniform(Random random, int rows, int columns, float scale)
    {
        var w = new float[rows * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = scale * (float)(1 - random.NextDouble()) * (random.Next(2) == 0 ? -1 : 1);
        }

        return w;
    }

    /// <summary>
    /// Checks a plan against an independent computation: the (round(target x total))-th smallest |w| of the sorted
    /// concatenation is the threshold (no ties in random data), each layer prunes what is at or under it, and each
    /// declared sparsity gives round-half-even(k (1 - share)) weights per row.
    /// </summary>
    private static void AssertPlanMatchesSort(SparsityPlan plan, double target, params (string Name, float[] Weights, int Rows, int Columns)[] layers)
    {
        float[] all = [.. layers.SelectMany(l => l.Weights).Select(MathF.Abs).Order()];
        long pruned = (long)Math.Round(target * all.Length, MidpointRounding.ToEven);
        float threshold = all[pruned - 1];
        Assert.NotEqual(threshold, all[pruned]); // no tie at the threshold: the count per layer is unambiguous.
        Assert.Equal(threshold, plan.Threshold);

        long kept = 0, rowsTotal = 0;
        Assert.Equal(layers.Length, plan.Layers.Count);
        for (int l = 0; l < layers.Length; l++)
        {
            var (name, weights, rows, columns) = layers[l];
            LayerSparsity planned = plan.Layers[l];
            long under = weights.Count(w => MathF.Abs(w) <= threshold);
            int keptPerRow = (int)Math.Round(columns * (1 - (double)under / weights.Length), MidpointRounding.ToEven);
            Assert.Equal((name, (long)weights.Length, under, keptPerRow), (planned.Name, planned.Weights, planned.PrunedAtThreshold, planned.KeptPerRow));
            Assert.Equal(keptPerRow, SparseLayout.KeptPerRow(columns, planned.Sparsity));
            kept += (long)rows * keptPerRow;
            rowsTotal += rows;
        }

        Assert.Equal(1 - (double)kept / all.Length, plan.Achieved, 12);
        // Rounding moves each row by at most half a weight.
        Assert.InRange(Math.Abs(plan.Achieved - target) * all.Length, 0, rowsTotal / 2.0 + 0.5);
    }

    [Fact]
    public void ALayerOfTenTimesSmallerWeightsGetsTheHigherSparsity()
    {
        var random = new Random(11);
        var a = ("a", Uniform(random, 37, 53, 1f), 37, 53);
        var b = ("b", Uniform(random, 29, 41, 0.1f), 29, 41);
        foreach (double target in new[] { 0.3, 0.37 })
        {
            using MemoryStream file = File(a, b);
            SparsityPlan plan = GlobalSparsity.Plan(file, [Layer("a", 53, 37), Layer("b", 41, 29)], target);
            output.WriteLine(plan.ToString());
            AssertPlanMatchesSort(plan, target, a, b);
            Assert.True(plan.Layers[1].Sparsity > 2 * plan.Layers[0].Sparsity,
                $"b ({plan.Layers[1].Sparsity}) should lose far more than a ({plan.Layers[0].Sparsity}).");
        }
    }

    [Fact]
    public void LayersOfTheSameMagnitudesGetEqualSparsities()
    {
        // Every row of both layers holds the magnitudes 1/60 .. 60/60 (a) or 1/30 .. 30/30 (b) in a shuffled order
        // with random signs: 80% of each lies at or under 0.8, so the global threshold prunes both at exactly 0.8.
        var random = new Random(5);
        float[] Rows(int rows, int columns)
        {
            var w = new float[rows * columns];
            for (int r = 0; r < rows; r++)
            {
                int[] order = [.. Enumerable.Range(1, columns)];
                random.Shuffle(order);
                for (int c = 0; c < columns; c++)
                {
                    w[r * columns + c] = (float)((double)order[c] / columns) * (random.Next(2) == 0 ? -1 : 1);
                }
            }

            return w;
        }

        using MemoryStream file = File(("a", Rows(7, 60), 7, 60), ("b", Rows(13, 30), 13, 30));
        SparsityPlan plan = GlobalSparsity.Plan(file, [Layer("a", 60, 7), Layer("b", 30, 13)], 0.8);
        output.WriteLine(plan.ToString());
        Assert.Equal(0.8f, plan.Threshold);
        Assert.Equal([0.8, 0.8], plan.Layers.Select(l => l.Sparsity));
        Assert.Equal([7L * 48, 13L * 24], plan.Layers.Select(l => l.PrunedAtThreshold));
        Assert.Equal(0.8, plan.Achieved, 12);
    }

    [Fact]
    public void TiesAtTheThresholdArePrunedFromTheLaterLayersFirst()
    {
        // Every magnitude is 1: a quarter of the 16 weights are pruned, all from b (the later layer), 2 per row.
        float[] ones = [1, -1, 1, -1, -1, 1, -1, 1];
        using MemoryStream file = File(("a", ones, 2, 4), ("b", ones, 2, 4));
        SparsityPlan plan = GlobalSparsity.Plan(file, [Layer("a", 4, 2), Layer("b", 4, 2)], 0.25);
        output.WriteLine(plan.ToString());
        Assert.Equal(1f, plan.Threshold);
        Assert.Equal([0L, 4L], plan.Layers.Select(l => l.PrunedAtThreshold));
        Assert.Equal([0.0, 0.5], plan.Layers.Select(l => l.Sparsity));
        Assert.Equal(0.25, plan.Achieved);
        Assert.Contains("a: Sparsity = 0 (leave unpruned)", plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void HalfPrecisionFilesArePlannedOnTheirWidenedValues()
    {
        using FileStream weights = System.IO.File.OpenRead(TestFiles.FashionMlpF16);
        SparsityPlan plan = GlobalSparsity.Plan(weights, MlpF32.Layers, 0.8);
        using SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlpF16);
        AssertPlanMatchesSortAllowingTies(plan, 0.8,
            ("hidden", file.ReadFloat32("hidden.weight"), 256, 784), ("output", file.ReadFloat32("output.weight"), 10, 256));
    }

    /// <summary>
    /// As <see cref="AssertPlanMatchesSort"/> for data with ties at the threshold (fp16 has few distinct values): the
    /// threshold and the total pruned match the sort, and each layer prunes all under it and at most all at it.
    /// </summary>
    private static void AssertPlanMatchesSortAllowingTies(SparsityPlan plan, double target, params (string Name, float[] Weights, int Rows, int Columns)[] layers)
    {
        float[] all = [.. layers.SelectMany(l => l.Weights).Select(MathF.Abs).Order()];
        long pruned = (long)Math.Round(target * all.Length, MidpointRounding.ToEven);
        Assert.Equal(all[pruned - 1], plan.Threshold);
        Assert.Equal(pruned, plan.Layers.Sum(l => l.PrunedAtThreshold));
        for (int l = 0; l < layers.Length; l++)
        {
            float[] w = layers[l].Weights;
            Assert.InRange(plan.Layers[l].PrunedAtThreshold, w.Count(v => MathF.Abs(v) < plan.Threshold), w.Count(v => MathF.Abs(v) <= plan.Threshold));
            Assert.Equal(plan.Layers[l].KeptPerRow, SparseLayout.KeptPerRow(layers[l].Columns, plan.Layers[l].Sparsity));
        }
    }

    [Fact]
    public void OnlyTheNamedOrTheMagnitudeLayersArePlanned()
    {
        var random = new Random(3);
        var a = ("a", Uniform(random, 5, 9, 1f), 5, 9);
        var b = ("b", Uniform(random, 4, 5, 1f), 4, 5);
        DenseLayer[] plain = [Layer("a", 9, 5), Layer("b", 5, 4)];
        DenseLayer[] oneMagnitude = [Layer("a", 9, 5), Layer("b", 5, 4, Pruning.Magnitude, 0.5)];

        using (MemoryStream file = File(a, b))
        {
            Assert.Equal(["a", "b"], GlobalSparsity.Plan(file, plain, 0.5).Layers.Select(l => l.Name));
        }

        using (MemoryStream file = File(a, b))
        {
            SparsityPlan plan = GlobalSparsity.Plan(file, oneMagnitude, 0.5);
            Assert.Equal(["b"], plan.Layers.Select(l => l.Name));
            AssertPlanMatchesSort(plan, 0.5, b);
        }

        using (MemoryStream file = File(a, b))
        {
            SparsityPlan plan = GlobalSparsity.Plan(file, oneMagnitude, 0.5, ["a"]);
            Assert.Equal(["a"], plan.Layers.Select(l => l.Name));
            AssertPlanMatchesSort(plan, 0.5, a);
        }
    }

    [Fact]
    public void FashionMlpAt80Percent()
    {
        using FileStream weights = System.IO.File.OpenRead(TestFiles.FashionMlp);
        SparsityPlan plan = GlobalSparsity.Plan(weights, MlpF32.Layers, 0.8);
        output.WriteLine(plan.ToString());

        using SafeTensorsFile file = SafeTensorsFile.Open(TestFiles.FashionMlp);
        AssertPlanMatchesSort(plan, 0.8,
            ("hidden", file.ReadFloat32("hidden.weight"), 256, 784), ("output", file.ReadFloat32("output.weight"), 10, 256));
        Assert.Contains("hidden: Sparsity = ", plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AModelDeclaredFromThePlanLoadsAtThePlansGlobalSparsity()
    {
        SparsityPlan plan;
        using (FileStream weights = System.IO.File.OpenRead(TestFiles.FashionMlp))
        {
            plan = GlobalSparsity.Plan(weights, MlpF32.Layers, 0.8);
        }

        // MlpGlobalSparse80 declares the values this plan printed.
        Assert.Equal(plan.Layers.Select(l => (l.Name, l.Sparsity)), MlpGlobalSparse80.Layers.Select(l => (l.Name, l.Sparsity)));

        using var model = MlpGlobalSparse80.Load(TestFiles.FashionMlp);
        var saved = new MemoryStream();
        model.Save(saved);
        saved.Position = 0;
        using SafeTensorsFile file = SafeTensorsFile.Open(saved);
        long kept = 0, total = 0;
        foreach (DenseLayer layer in MlpGlobalSparse80.Layers)
        {
            // Stored sparse, the tensor holds the kept values only; stored dense, the pruned ones are zeros.
            long nonZero = file.ReadFloat32(layer.Name + ".weight").Count(w => w != 0);
            Assert.Equal(plan.Layers.Single(l => l.Name == layer.Name).Kept, nonZero);
            kept += nonZero;
            total += (long)layer.InFeatures * layer.OutFeatures;
        }

        output.WriteLine($"{MlpGlobalSparse80.Memory}");
        Assert.Equal(plan.Achieved, 1 - (double)kept / total, 12);
        Assert.InRange(plan.Achieved, 0.8 - 0.001, 0.8 + 0.001);
    }

    // ---- errors ----

    [Fact]
    public void TargetsOutsideZeroToOneAreRejected()
    {
        var random = new Random(1);
        foreach (double target in new[] { 0, 1, -0.5, 1.5, double.NaN, double.PositiveInfinity })
        {
            using MemoryStream file = File(("a", Uniform(random, 3, 4, 1f), 3, 4));
            var e = Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [Layer("a", 4, 3)], target));
            TestFiles.AssertMessage(e, "target", "not in (0, 1)");
            Assert.Equal("target", e.ParamName);
        }
    }

    [Fact]
    public void NoLayersOrUnknownOrRepeatedNamesAreRejected()
    {
        var random = new Random(2);
        float[] w = Uniform(random, 3, 4, 1f);
        using (MemoryStream file = File(("a", w, 3, 4)))
        {
            TestFiles.AssertMessage(Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [], 0.5)), "at least one layer");
        }

        using (MemoryStream file = File(("a", w, 3, 4)))
        {
            TestFiles.AssertMessage(Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [Layer("a", 4, 3)], 0.5, [])), "at least one layer");
        }

        using (MemoryStream file = File(("a", w, 3, 4)))
        {
            TestFiles.AssertMessage(Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [Layer("a", 4, 3)], 0.5, ["hidden"])),
                "no layer 'hidden'", "'a'");
        }

        using (MemoryStream file = File(("a", w, 3, 4)))
        {
            TestFiles.AssertMessage(Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [Layer("a", 4, 3)], 0.5, ["a", "a"])),
                "'a' is named twice");
        }
    }

    [Fact]
    public void NonFiniteWeightsAreRejectedWithTheirPosition()
    {
        var random = new Random(4);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            float[] w = Uniform(random, 3, 5, 1f);
            w[2 * 5 + 3] = bad;
            using MemoryStream file = File(("a", Uniform(random, 2, 2, 1f), 2, 2), ("b", w, 3, 5));
            var e = Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [Layer("a", 2, 2), Layer("b", 5, 3)], 0.5));
            TestFiles.AssertMessage(e, "'b.weight'", "row 2, column 3", "not a finite number");
        }
    }

    [Fact]
    public void APlanThatEmptiesTheRowsOfALayerIsRejected()
    {
        // b's weights are all under 0.1 and a's are uniform in (0, 1]: at 50% the threshold (~0.2) prunes all of b.
        var random = new Random(11);
        using MemoryStream file = File(("a", Uniform(random, 37, 53, 1f), 37, 53), ("b", Uniform(random, 29, 41, 0.1f), 29, 41));
        var e = Assert.Throws<ArgumentException>(() => GlobalSparsity.Plan(file, [Layer("a", 53, 37), Layer("b", 41, 29)], 0.5));
        TestFiles.AssertMessage(e, "layer 'b'", "would keep no weight");
    }

    [Fact]
    public void MissingOrMisshapenWeightsAreFormatErrors()
    {
        var random = new Random(6);
        using (MemoryStream file = File(("a", Uniform(random, 3, 4, 1f), 3, 4)))
        {
            TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => GlobalSparsity.Plan(file, [Layer("b", 4, 3)], 0.5)),
                "no tensor 'b.weight'");
        }

        using (MemoryStream file = File(("a", Uniform(random, 3, 4, 1f), 3, 4)))
        {
            TestFiles.AssertMessage(Assert.Throws<ModelFormatException>(() => GlobalSparsity.Plan(file, [Layer("a", 3, 4)], 0.5)),
                "'a.weight' has shape [3, 4]", "expects [4, 3]");
        }
    }
}
