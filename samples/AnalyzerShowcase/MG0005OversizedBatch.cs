namespace AnalyzerShowcase;

public static class OversizedBatch
{
    // MG0005 (error, shown as a warning here): SmallModel's MaxBatch is 8, so a batch of 16 throws at run time.
    public static void Run(SmallModel model, float[] inputs, float[] outputs) => model.Forward(inputs, outputs, 16);
}
