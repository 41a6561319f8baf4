using Microsoft.ML.OnnxRuntime;

namespace ModelGen.Bench;

/// <summary>
/// ONNX Runtime (one thread unless asked) with its fastest call path: all graph optimisations, pre-bound input and output
/// OrtValues over pinned arrays, so a call allocates nothing on our side.
/// </summary>
public sealed class OrtPeer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly OrtValue _input;
    private readonly OrtValue _output;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;
    private readonly OrtValue[] _outputs;

    /// <summary>
    /// Opens <paramref name="onnxPath"/> for batches of <paramref name="batch"/> rows of <paramref name="inputShape"/>,
    /// running on <paramref name="threads"/> intra-op threads.
    /// </summary>
    public OrtPeer(string onnxPath, int batch, long[] inputShape, int outputWidth, float[] input, int threads = 1)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        _session = new InferenceSession(onnxPath, options);
        Output = new float[batch * outputWidth];
        _input = OrtValue.CreateTensorValueFromMemory(input, [batch, .. inputShape]);
        _output = OrtValue.CreateTensorValueFromMemory(Output, [batch, outputWidth]);
        _inputNames = [_session.InputMetadata.Keys.Single()];
        _outputNames = [_session.OutputMetadata.Keys.Single()];
        _inputs = [_input];
        _outputs = [_output];
    }

    /// <summary>The output buffer the session writes.</summary>
    public float[] Output { get; }

    /// <summary>One inference over the bound input.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputs, _outputNames, _outputs);

    /// <inheritdoc/>
    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
        _runOptions.Dispose();
        _session.Dispose();
    }
}
