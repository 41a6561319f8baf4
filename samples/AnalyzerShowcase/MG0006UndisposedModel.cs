namespace AnalyzerShowcase;

public static class UndisposedModel
{
    // MG0006 (warning): the model owns native memory, but the local is never disposed ("Add 'using'").
    public static float FirstLogit(string path, float[] image)
    {
        var model = SmallModel.Load(path);
        var logits = new float[SmallModel.OutputFeatures];
        model.Forward(image, logits, 1);
        return logits[0];
    }
}
