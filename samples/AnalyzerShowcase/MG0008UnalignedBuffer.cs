using System.Runtime.InteropServices;

namespace AnalyzerShowcase;

public static unsafe class UnalignedBuffer
{
    // MG0008 (warning): NativeMemory.Alloc gives 16-byte alignment, and the buffer is a Forward input; the kernels'
    // 32-byte loads then straddle cache lines ("Use 64-byte aligned allocation").
    public static void Run(SmallModel model, float[] logits)
    {
        float* input = (float*)NativeMemory.Alloc(SmallModel.InputFeatures * sizeof(float));
        try
        {
            model.Forward(new ReadOnlySpan<float>(input, SmallModel.InputFeatures), logits, 1);
        }
        finally
        {
            NativeMemory.Free(input);
        }
    }
}
