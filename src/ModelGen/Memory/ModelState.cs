namespace ModelGen;

/// <summary>
/// The native state of one model instance: its weight and activation blocks, disposal, and the guard that rejects
/// concurrent <c>Forward</c> calls (they would share the activation block). The weight block may be shared with
/// worker instances (<see cref="ShareWeights"/>); each instance has its own activation block. Used by generated code.
/// </summary>
public sealed class ModelState : IDisposable
{
    private readonly string _modelName;
    private readonly long _activationBytes;
    private SharedWeights? _weights;
    private NativeBlock? _activations;
    private int _busy;

    /// <summary>Takes ownership of <paramref name="weights"/> and allocates the activation block.</summary>
    public ModelState(string modelName, NativeBlock weights, long activationBytes)
        : this(modelName, new SharedWeights(weights), activationBytes)
    {
    }

    // Holds one reference of weights (taken by the caller) and allocates an activation block.
    private ModelState(string modelName, SharedWeights weights, long activationBytes)
    {
        _modelName = modelName;
        _activationBytes = activationBytes;
        _activations = new NativeBlock(activationBytes);
        _weights = weights;
    }

    /// <summary>The weight block; throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    public NativeBlock Weights => (_weights ?? throw Disposed()).Block;

    /// <summary>How many instances share this instance's weight block (itself included).</summary>
    public int WeightSharers => (_weights ?? throw Disposed()).References;

    /// <summary>
    /// A new state over the same weight block, with its own activation block of the same size: what a generated
    /// <c>CreateWorker</c> wraps. The weights stay allocated until every sharer is disposed. Throws
    /// <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.
    /// </summary>
    public ModelState ShareWeights()
    {
        var weights = _weights ?? throw Disposed();
        weights.Acquire();
        try
        {
            return new ModelState(_modelName, weights, _activationBytes);
        }
        catch
        {
            weights.Release();
            throw;
        }
    }

    /// <summary>The activation block; throws <see cref="ObjectDisposedException"/> after <see cref="Dispose"/>.</summary>
    public NativeBlock Activations => _activations ?? throw Disposed();

    /// <summary>Whether <see cref="Dispose"/> has run.</summary>
    public bool IsDisposed => _weights is null;

    /// <summary>
    /// Marks the instance busy for one <c>Forward</c>. Throws <see cref="InvalidOperationException"/> if another thread
    /// is inside <c>Forward</c> on the same instance, <see cref="ObjectDisposedException"/> after disposal.
    /// </summary>
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException(
                $"{_modelName}.Forward is already running on this instance in another thread. An instance holds one activation block: " +
                "use one instance per thread (instances may run in parallel).");
        }

        if (_weights is null)
        {
            Volatile.Write(ref _busy, 0);
            throw Disposed();
        }
    }

    /// <summary>Ends the <c>Forward</c> call started by <see cref="Enter"/>.</summary>
    public void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>
    /// Frees the activation block and drops this instance's share of the weight block (freed with the last share).
    /// A second call does nothing. Throws if a <c>Forward</c> is running.
    /// </summary>
    public void Dispose()
    {
        if (_weights is null)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException($"{_modelName} cannot be disposed while Forward is running.");
        }

        _weights.Release();
        _activations?.Dispose();
        _weights = null;
        _activations = null;
        Volatile.Write(ref _busy, 0);
    }

    /// <summary>Validates <c>Forward</c>'s arguments against the model's shape and MaxBatch.</summary>
    public static void CheckForwardArguments(string modelName, int inputLength, int outputLength, int batch,
        int inputFeatures, int outputFeatures, int maxBatch)
    {
        if (batch < 1 || batch > maxBatch)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch,
                $"{modelName}: batch must be between 1 and MaxBatch ({maxBatch}). Split larger inputs into micro-batches.");
        }

        if (inputLength != batch * inputFeatures)
        {
            throw new ArgumentException(
                $"{modelName}: input has {inputLength} floats; batch {batch} x {inputFeatures} features needs {batch * inputFeatures}.", "input");
        }

        if (outputLength != batch * outputFeatures)
        {
            throw new ArgumentException(
                $"{modelName}: output has {outputLength} floats; batch {batch} x {outputFeatures} outputs needs {batch * outputFeatures}.", "output");
        }
    }

    private ObjectDisposedException Disposed() => new(_modelName, $"This {_modelName} instance has been disposed.");
}
