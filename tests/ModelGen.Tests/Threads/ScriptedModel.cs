namespace ModelGen.Tests.Threads;

/// <summary>
/// A hand-written <see cref="IModel"/> for ParallelForward's orchestration: output = 2 x input per row (one feature),
/// throws <see cref="InvalidDataException"/> on a negative input, and waits on <see cref="Script.Gate"/> inside Forward.
/// Workers share the script, which counts live instances.
/// </summary>
internal sealed class ScriptedModel : IModel
{
    private readonly Script _script;
    private bool _disposed;

    public ScriptedModel(Script script)
    {
        _script = script;
        Interlocked.Increment(ref script.Live);
    }

    public int InputFeatures => 1;

    public int OutputFeatures => 1;

    public int MaxBatch => 32;

    public ModelMemoryReport Memory => throw new NotSupportedException();

    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Interlocked.Increment(ref _script.Calls);
        _script.Entered.Set();
        _script.Gate.Wait();
        for (int i = 0; i < batch; i++)
        {
            if (input[i] < 0)
            {
                throw new InvalidDataException($"negative input in row {i} of {batch}");
            }

            output[i] = 2 * input[i];
        }
    }

    public void ForwardObserved(ReadOnlySpan<float> input, Span<float> output, int batch, LayerOutputObserver observer) =>
        throw new NotSupportedException();

    public void Save(Stream stream) => throw new NotSupportedException();

    public IModel CreateWorker()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new ScriptedModel(_script);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            Interlocked.Decrement(ref _script.Live);
        }
    }

    /// <summary>Shared by a model and its workers.</summary>
    internal sealed class Script : IDisposable
    {
        public int Live;
        public int Calls;
        public readonly ManualResetEventSlim Gate = new(true);
        public readonly ManualResetEventSlim Entered = new(false);

        public void Dispose()
        {
            Gate.Dispose();
            Entered.Dispose();
        }
    }
}
