namespace AnalyzerShowcase;

public static class HotLoopAllocation
{
    // MG0007 (warning): the model is loaded, and an output array allocated, on every iteration. Both belong before
    // the loop ("Move out of the loop").
    public static float Run(string path, float[][] images)
    {
        float sum = 0;
        foreach (var image in images)
        {
            using var model = SmallModel.Load(path);
            var logits = new float[SmallModel.OutputFeatures];
            model.Forward(image, logits, 1);
            sum += logits[0];
        }

        return sum;
    }
}
