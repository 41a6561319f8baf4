namespace ModelGen;

/// <summary>
/// A weight block shared by a model instance and the workers made from it (<c>CreateWorker</c>): it is freed when the
/// last sharer releases it, so disposing the original never frees the weights under a worker that still runs.
/// Forward only reads weights, so sharers may run in parallel. Used through <see cref="ModelState"/>.
/// </summary>
public sealed class SharedWeights
{
    private readonly NativeBlock _block;
    private int _references = 1;

    /// <summary>Takes ownership of <paramref name="block"/>, with one reference held by the caller.</summary>
    public SharedWeights(NativeBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        _block = block;
    }

    /// <summary>The weight block. Valid while the caller holds a reference.</summary>
    public NativeBlock Block => _block;

    /// <summary>How many sharers hold the block; 0 once it has been freed.</summary>
    public int References => Volatile.Read(ref _references);

    /// <summary>Adds a reference. Throws <see cref="ObjectDisposedException"/> if the block has already been freed.</summary>
    public void Acquire()
    {
        while (true)
        {
            int current = Volatile.Read(ref _references);
            if (current == 0)
            {
                throw new ObjectDisposedException(nameof(SharedWeights), "The shared weight block has been freed.");
            }

            // Compare-and-swap rather than Increment: a count that reached 0 must never come back to life.
            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return;
            }
        }
    }

    /// <summary>Drops a reference taken by the constructor or <see cref="Acquire"/>; the last one frees the block.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            _block.Dispose();
        }
        else if (left < 0)
        {
            Interlocked.Increment(ref _references);
            throw new InvalidOperationException("SharedWeights released more often than acquired.");
        }
    }
}
