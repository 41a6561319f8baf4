using System.Globalization;
using ModelGen.Generators.Model.Graph;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The graph activation planner against an independent reading of its rules: tensors live at a common step never
/// overlap, in-place chains share one place, the lower bound is the largest live sum; and on real model shapes the
/// peak stays close to that bound.
/// </summary>
public sealed class ActivationPlannerTests
{
    private const int ModelInput = -1;

    [Fact]
    public void RandomLifetimeSetsPlaceWithoutOverlap()
    {
        var random = new Random(20251130);
        var inPlacePairs = 0;
        for (var trial = 0; trial < 400; trial++)
        {
            var tensors = RandomLifetimes(random);
            var layout = ActivationPlanner.Plan(tensors);
            inPlacePairs += AssertValid(tensors, layout);
            Assert.Equal(layout, ActivationPlanner.Plan(tensors));
        }

        // The generator must exercise the in-place rule, or the checks above prove little about it.
        Assert.True(inPlacePairs > 200, $"only {inPlacePairs} in-place pairs generated");
    }

    [Fact]
    public void ChainsPeakAtTheTwoLargestAdjacentSizes()
    {
        var random = new Random(11);
        var chains = new List<long[]>
        {
            // Greedy by size alone ends at 33 units here (the 2 lands above the 10): the optimum needs both ends.
            new long[] { 20 * 64, 2 * 64, 10 * 64, 21 * 64 },
            new long[] { 3 * 64, 5 * 64, 10 * 64 },
            new long[] { 100 },
        };
        for (var i = 0; i < 300; i++)
        {
            chains.Add(Enumerable.Range(0, random.Next(2, 30)).Select(_ => (long)random.Next(1, 40_000)).ToArray());
        }

        foreach (var sizes in chains)
        {
            var builder = new LifetimeBuilder();
            var previous = ModelInput;
            foreach (var bytes in sizes)
            {
                previous = builder.Step(bytes, previous);
            }

            builder.Final(previous);
            var tensors = builder.Build();
            var layout = ActivationPlanner.Plan(tensors);
            AssertValid(tensors, layout);

            var aligned = sizes.Select(Align).ToArray();
            var expected = aligned.Length == 1 ? aligned[0] : aligned.Zip(aligned.Skip(1), (a, b) => a + b).Max();
            Assert.Equal(expected, layout.LowerBoundBytes);
            Assert.Equal(expected, layout.PeakBytes);
        }
    }

    [Fact]
    public void EmptyListPlansZeros()
    {
        var layout = ActivationPlanner.Plan([]);
        Assert.Empty(layout.Placements);
        Assert.Equal((0L, 0L, 0L), (layout.PeakBytes, layout.NaiveBytes, layout.LowerBoundBytes));
    }

    [Fact]
    public void InPlaceChainSharesOnePlaceAtItsLargestSize()
    {
        // 7 is read by the step that writes 8 over it, 8 by the step that writes 9 over it; 5 lives beside them all.
        TensorLifetime[] tensors =
        [
            new(5, 64, 0, 3),
            new(7, 100, 0, 1),
            new(8, 300, 1, 2, InPlaceOf: 7),
            new(9, 64, 2, 3, InPlaceOf: 8),
        ];
        var layout = ActivationPlanner.Plan(tensors);
        AssertValid(tensors, layout);

        var chain = layout.Placements.Skip(1).ToArray();
        Assert.All(chain, p => Assert.Equal((chain[0].Offset, 320L), (p.Offset, p.Bytes)));
        Assert.Equal(64 + 320, layout.LowerBoundBytes);
        Assert.Equal(64 + 320, layout.PeakBytes);
        Assert.Equal(64 + 128 + 320 + 64, layout.NaiveBytes);
    }

    [Fact]
    public void OnlyTheFirstValidInPlaceClaimTakesTheSpace()
    {
        TensorLifetime[] tensors =
        [
            new(0, 64, 0, 1),
            new(1, 64, 1, 2, InPlaceOf: 0), // takes tensor 0's space
            new(2, 64, 1, 2, InPlaceOf: 0), // 0 is taken: placed on its own
            new(3, 64, 2, 3, InPlaceOf: 0), // 0 is last read at step 1, not 2
            new(4, 64, 3, 4, InPlaceOf: 42), // no such tensor
            new(5, 64, 4, 5, InPlaceOf: 5), // itself
        ];
        var layout = ActivationPlanner.Plan(tensors);
        Assert.Equal(1, AssertValid(tensors, layout));

        var p = layout.Placements;
        Assert.Equal(p[0].Offset, p[1].Offset);
        Assert.NotEqual(p[0].Offset, p[2].Offset);
        Assert.NotEqual(p[1].Offset, p[3].Offset);
        Assert.Equal(192, layout.LowerBoundBytes);
    }

    [Fact]
    public void OddValuesPlanWithoutThrowing()
    {
        // A negative size counts as zero, a last step before the first as the first; a repeated id answers in-place
        // claims with its first tensor.
        TensorLifetime[] tensors =
        [
            new(1, -5, 0, 2),
            new(2, 64, 3, 1),
            new(2, 65, 0, 3),
            new(3, long.MaxValue / 4, 0, 0),
            new(4, 64, 3, 4, InPlaceOf: 2),
        ];
        var layout = ActivationPlanner.Plan(tensors);
        AssertValid(tensors, layout);
        Assert.Equal(0, layout.Placements[0].Bytes);
        Assert.Equal(layout.Placements[1].Offset, layout.Placements[4].Offset);
    }

    [Theory]
    [InlineData("cnn")]
    [InlineData("resmlp")]
    [InlineData("mobilenetv2")]
    public void RealisticGraphsPeakWithinTenPercentOfTheLowerBound(string model)
    {
        var tensors = model switch
        {
            "cnn" => FashionCnn(),
            "resmlp" => FashionResMlp(),
            _ => MobileNetV2(),
        };
        var layout = ActivationPlanner.Plan(tensors);
        AssertValid(tensors, layout);

        var ratio = (double)layout.PeakBytes / layout.LowerBoundBytes;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"RESULT plan.{model} peak_over_lower_bound={ratio:F4} peak={layout.PeakBytes} lower_bound={layout.LowerBoundBytes} naive={layout.NaiveBytes}"));
        Assert.True(ratio <= 1.1, $"{model}: peak {layout.PeakBytes} is {ratio:F3} x the lower bound {layout.LowerBoundBytes}");
    }

    [Fact]
    public void SmallGraphsHaveTheLowerBoundsWorkedByHand()
    {
        // fashion_cnn: conv1's output and the pool that reads it (16x28x28 + 16x14x14 fp32).
        Assert.Equal(4L * ((16 * 28 * 28) + (16 * 14 * 14)), ActivationPlanner.Plan(FashionCnn()).LowerBoundBytes);

        // fashion_resmlp: the residual input, the norm and fc_a's 256 outputs (fp32) at fc_a's step.
        Assert.Equal(4L * (128 + 128 + 256), ActivationPlanner.Plan(FashionResMlp()).LowerBoundBytes);
    }

    // fashion_cnn at one sample, fp32: conv1 16x28x28, pool 16x14x14, conv2 32x14x14, pool 32x7x7, fc1 128; fc2 writes
    // the model output.
    private static List<TensorLifetime> FashionCnn()
    {
        var b = new LifetimeBuilder();
        var conv1 = b.Step(4L * 16 * 28 * 28, ModelInput);
        var pool1 = b.Step(4L * 16 * 14 * 14, conv1);
        var conv2 = b.Step(4L * 32 * 14 * 14, pool1);
        var pool2 = b.Step(4L * 32 * 7 * 7, conv2);
        var fc1 = b.Step(4L * 128, pool2);
        b.Final(fc1);
        return b.Build();
    }

    // fashion_resmlp: inp 128, norm 128, fc_a 256 (GELU fused), fc_b 128, the residual Add in place over fc_b's output
    // (inp alive until then), norm_out 128; out writes the model output.
    private static List<TensorLifetime> FashionResMlp()
    {
        var b = new LifetimeBuilder();
        var inp = b.Step(4L * 128, ModelInput);
        var norm = b.Step(4L * 128, inp);
        var fcA = b.Step(4L * 256, norm);
        var fcB = b.Step(4L * 128, fcA);
        var add = b.StepInPlace(4L * 128, fcB, inp);
        var normOut = b.Step(4L * 128, add);
        b.Final(normOut);
        return b.Build();
    }

    // MobileNetV2 at 224x224, fp32, activations and BatchNorm fused: a stride-2 stem to 32x112x112, the inverted
    // residual blocks (expand 1x1 unless t == 1, depthwise 3x3 with the stride, project 1x1, and an in-place residual
    // Add when the stride is 1 and the width is kept), conv 320 -> 1280 at 7x7, global pooling; the classifier writes
    // the model output.
    private static List<TensorLifetime> MobileNetV2()
    {
        (int T, int C, int N, int S)[] settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];
        var b = new LifetimeBuilder();
        int size = 112, channels = 32;
        var x = b.Step(4L * channels * size * size, ModelInput);
        foreach (var (t, c, n, s) in settings)
        {
            for (var i = 0; i < n; i++)
            {
                var stride = i == 0 ? s : 1;
                var hidden = channels * t;
                var expanded = t == 1 ? x : b.Step(4L * hidden * size * size, x);
                var outSize = size / stride;
                var depthwise = b.Step(4L * hidden * outSize * outSize, expanded);
                var projected = b.Step(4L * c * outSize * outSize, depthwise);
                x = stride == 1 && channels == c ? b.StepInPlace(4L * c * outSize * outSize, projected, x) : projected;
                (size, channels) = (outSize, c);
            }
        }

        var head = b.Step(4L * 1280 * 7 * 7, x);
        var pooled = b.Step(4L * 1280, head);
        b.Final(pooled);
        return b.Build();
    }

    private static List<TensorLifetime> RandomLifetimes(Random random)
    {
        var count = random.Next(0, 41);
        var ids = Enumerable.Range(0, 1000).OrderBy(_ => random.Next()).Take(count).Select(id => id - 300).ToArray();
        var first = new int[count];
        var last = new int[count];
        var bytes = new long[count];
        for (var i = 0; i < count; i++)
        {
            first[i] = random.Next(0, 24);
            last[i] = first[i] + (random.Next(8) == 0 ? random.Next(0, 20) : random.Next(0, 4));
            bytes[i] = random.Next(20) switch
            {
                0 => 0,
                1 => 64L * random.Next(1, 200),
                _ => random.Next(1, 20_000),
            };
        }

        var tensors = new List<TensorLifetime>(count);
        for (var i = 0; i < count; i++)
        {
            var inPlaceOf = -1;
            var roll = random.Next(10);
            var candidates = Enumerable.Range(0, count).Where(j => j != i && last[j] == first[i]).ToArray();
            if (roll < 5 && candidates.Length > 0)
            {
                inPlaceOf = ids[candidates[random.Next(candidates.Length)]];
            }
            else if (roll == 5 && count > 0)
            {
                // Usually invalid: any tensor (wrong step), or an id nobody has.
                inPlaceOf = random.Next(2) == 0 ? ids[random.Next(count)] : 5000 + random.Next(100);
            }

            tensors.Add(new TensorLifetime(ids[i], bytes[i], first[i], last[i], inPlaceOf));
        }

        return tensors;
    }

    /// <summary>
    /// Checks <paramref name="layout"/> against the rules read independently; returns how many in-place claims took
    /// effect.
    /// </summary>
    private static int AssertValid(IReadOnlyList<TensorLifetime> tensors, ActivationLayout layout)
    {
        var n = tensors.Count;
        var firstStep = tensors.Select(t => t.FirstStep).ToArray();
        var lastStep = tensors.Select(t => Math.Max(t.FirstStep, t.LastStep)).ToArray();
        var size = tensors.Select(t => Align(Math.Max(0, t.BytesPerSample))).ToArray();

        // In-place groups: a claim counts when its tensor exists (first of an id), is another tensor, is not yet
        // claimed, and is last read at the claimer's first step.
        var group = Enumerable.Range(0, n).ToArray();
        var claimed = new bool[n];
        var pairs = 0;
        for (var i = 0; i < n; i++)
        {
            var input = tensors.ToList().FindIndex(t => t.Id == tensors[i].InPlaceOf);
            if (tensors[i].InPlaceOf != -1 && input >= 0 && input != i && !claimed[input] && lastStep[input] == firstStep[i])
            {
                claimed[input] = true;
                pairs++;
                int from = group[i], to = group[input];
                for (var j = 0; j < n; j++)
                {
                    group[j] = group[j] == from ? to : group[j];
                }
            }
        }

        Assert.Equal(n, layout.Placements.Count);
        for (var i = 0; i < n; i++)
        {
            var p = layout.Placements[i];
            Assert.Equal(tensors[i].Id, p.Id);
            Assert.True(p.Offset >= 0 && p.Offset % 64 == 0, $"tensor {p.Id} at offset {p.Offset}");
            Assert.True(p.Bytes >= size[i] && p.Bytes % 64 == 0, $"tensor {p.Id}: {p.Bytes} bytes for {size[i]}");
            for (var j = 0; j < i; j++)
            {
                var q = layout.Placements[j];
                if (group[i] == group[j])
                {
                    Assert.Equal((q.Offset, q.Bytes), (p.Offset, p.Bytes));
                }
                else if (firstStep[i] <= lastStep[j] && firstStep[j] <= lastStep[i])
                {
                    Assert.True(
                        p.Offset + p.Bytes <= q.Offset || q.Offset + q.Bytes <= p.Offset,
                        $"tensors {q.Id} [{q.Offset}, +{q.Bytes}) and {p.Id} [{p.Offset}, +{p.Bytes}) are live together and overlap");
                }
            }
        }

        // Lower bound: each group once, at its largest size, over the union of its members' steps.
        var groups = Enumerable.Range(0, n).GroupBy(i => group[i]).Select(g => (
            Bytes: g.Max(i => size[i]), First: g.Min(i => firstStep[i]), Last: g.Max(i => lastStep[i]))).ToArray();
        long lowerBound = 0;
        for (var step = n == 0 ? 0 : firstStep.Min(); n > 0 && step <= lastStep.Max(); step++)
        {
            lowerBound = Math.Max(lowerBound, groups.Where(g => g.First <= step && step <= g.Last).Sum(g => g.Bytes));
        }

        Assert.Equal(lowerBound, layout.LowerBoundBytes);
        Assert.Equal(size.Sum(), layout.NaiveBytes);
        Assert.Equal(n == 0 ? 0 : layout.Placements.Max(p => p.Offset + p.Bytes), layout.PeakBytes);
        Assert.InRange(layout.PeakBytes, layout.LowerBoundBytes, layout.NaiveBytes);
        return pairs;
    }

    private static long Align(long bytes) => (bytes + 63) / 64 * 64;

    /// <summary>
    /// Builds lifetimes one plan step at a time: each step reads its inputs (tensor ids, or <see cref="ModelInput"/>)
    /// and writes one new tensor, which is live until the last step that reads it.
    /// </summary>
    private sealed class LifetimeBuilder
    {
        private readonly List<(long Bytes, int First, int Last, int InPlaceOf)> _tensors = [];
        private int _step;

        public int Step(long bytes, params int[] inputs) => Write(bytes, -1, inputs);

        /// <summary>An element-wise step writing over <paramref name="over"/>, its input last read here.</summary>
        public int StepInPlace(long bytes, int over, params int[] others) => Write(bytes, over, [over, .. others]);

        /// <summary>The step that writes the model output (not in the block).</summary>
        public void Final(params int[] inputs)
        {
            Read(inputs);
            _step++;
        }

        public List<TensorLifetime> Build() =>
            _tensors.Select((t, id) => new TensorLifetime(id, t.Bytes, t.First, t.Last, t.InPlaceOf)).ToList();

        private int Write(long bytes, int inPlaceOf, int[] inputs)
        {
            Read(inputs);
            _tensors.Add((bytes, _step, _step, inPlaceOf));
            _step++;
            return _tensors.Count - 1;
        }

        private void Read(int[] inputs)
        {
            foreach (var input in inputs.Where(i => i != ModelInput))
            {
                _tensors[input] = _tensors[input] with { Last = _step };
            }
        }
    }
}
