using System.Diagnostics;
using System.Globalization;
using ModelGen;
using ModelGen.Quantization;

namespace FashionMnist;

/// <summary>Accuracy, agreement and speed of one model configuration on the test set.</summary>
public sealed record EvaluationResult(
    string Config, double Top1, double AgreeFloat32, long WeightBytes, long Float32WeightBytes,
    double Batch1Microseconds, double Batch64ImagesPerSecond, AccuracyReport Accuracy, ModelMemoryReport MemoryReport)
{
    /// <summary>One line of JSON with the figures scripts compare.</summary>
    public string ToJson() => string.Create(CultureInfo.InvariantCulture,
        $$"""{"config":"{{Config}}","top1":{{Top1:F2}},"agree_fp32":{{AgreeFloat32:F2}},"weight_bytes":{{WeightBytes}},"fp32_weight_bytes":{{Float32WeightBytes}},"batch1_us":{{Batch1Microseconds:F3}},"batch64_images_per_s":{{Batch64ImagesPerSecond:F0}}}""");
}

/// <summary>Evaluates generated models over a labelled data set.</summary>
public static class Evaluation
{
    /// <summary>
    /// Loads <typeparamref name="TModel"/> from <paramref name="weights"/> and measures it on <paramref name="data"/>
    /// against <paramref name="reference"/> (the fp32 model): accuracy, agreement and per-layer error through
    /// <see cref="ModelEvaluation"/>, then speed.
    /// </summary>
    public static EvaluationResult Run<TModel>(string config, string weights, FashionMnistData data, IModel reference,
        LoadOptions? options = null)
        where TModel : IModel<TModel>
    {
        using var stream = File.OpenRead(weights);
        using var model = TModel.Load(stream, options);
        return Measure(config, model, data, reference);
    }

    /// <summary>Measures an already loaded model.</summary>
    public static EvaluationResult Measure(string config, IModel model, FashionMnistData data, IModel reference)
    {
        var labels = Array.ConvertAll(data.Labels, l => (int)l);
        AccuracyReport accuracy = ModelEvaluation.Evaluate(model, reference, data.Images, labels);
        return new EvaluationResult(config, 100 * accuracy.Top1Accuracy, 100 * accuracy.Top1Agreement,
            model.Memory.WeightBytes, model.Memory.Float32WeightBytes,
            Batch1Microseconds(model, data), ImagesPerSecond(model, data), accuracy, model.Memory);
    }

    // Median of several timed rounds of single-image calls cycling over 64 images, after half a second of warm-up
    // (time for the JIT to finish optimising).
    private static double Batch1Microseconds(IModel model, FashionMnistData data)
    {
        var output = new float[model.OutputFeatures];
        const int CallsPerRound = 2000, Images = 64;
        long warmEnd = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 2;
        for (int i = 0; Stopwatch.GetTimestamp() < warmEnd; i++)
        {
            model.Forward(data.Images.AsSpan(i % Images * model.InputFeatures, model.InputFeatures), output, 1);
        }

        var rounds = new double[7];
        for (int round = 0; round < rounds.Length; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < CallsPerRound; i++)
            {
                model.Forward(data.Images.AsSpan(i % Images * model.InputFeatures, model.InputFeatures), output, 1);
            }

            rounds[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / CallsPerRound;
        }

        Array.Sort(rounds);
        return rounds[rounds.Length / 2];
    }

    private static double ImagesPerSecond(IModel model, FashionMnistData data)
    {
        int batch = Math.Min(64, model.MaxBatch);
        var output = new float[batch * model.OutputFeatures];
        var input = data.Images.AsSpan(0, batch * model.InputFeatures);
        for (int i = 0; i < 200; i++)
        {
            model.Forward(input, output, batch);
        }

        const int Calls = 300;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < Calls; i++)
        {
            model.Forward(input, output, batch);
        }

        return Calls * batch / Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
