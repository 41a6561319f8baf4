namespace ModelGen.Generators.Model.Graph;

/// <summary>
/// A graph model's edges and per-sample shapes as <see cref="GraphValidator"/> resolved them. Null shapes mark layers
/// whose shape could not be inferred (an error there or upstream).
/// </summary>
/// <param name="Sources">Per layer: the index of the layer it reads, -1 for the model input.</param>
/// <param name="Sources2">Per layer: an Add's residual source (-1 the model input), -2 for other kinds.</param>
/// <param name="InputShapes">Per layer: the shape of one input sample.</param>
/// <param name="OutputShapes">Per layer: the shape of one output sample.</param>
/// <param name="OutputLayer">The last non-view layer the model output resolves to through views (-1: the model input; below -1: unresolved).</param>
internal sealed class GraphShapes(int[] Sources, int[] Sources2, int[]?[] InputShapes, int[]?[] OutputShapes, int OutputLayer)
{
    public int[] Sources { get; } = Sources;
    public int[] Sources2 { get; } = Sources2;
    public int[]?[] InputShapes { get; } = InputShapes;
    public int[]?[] OutputShapes { get; } = OutputShapes;
    public int OutputLayer { get; } = OutputLayer;

    /// <summary>Elements of a shape.</summary>
    public static long Size(int[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }

        return n;
    }

    /// <summary>A shape as messages show it: <c>[32, 14, 14]</c>.</summary>
    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";
}
