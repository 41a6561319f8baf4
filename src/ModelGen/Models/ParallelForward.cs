using System.Runtime.ExceptionServices;

namespace ModelGen;

/// <summary>
/// Runs one model's <c>Forward</c> over several threads: the batch is split into contiguous row ranges, the calling
/// thread runs the first on the model it was given and long-lived threads run the others on workers made with
/// <see cref="IModel.CreateWorker"/> (sharing the weight block, one activation block each). Each row's result is the
/// one a single-threaded <c>Forward</c> gives. A call allocates nothing and waits for every range; one call at a time.
/// </summary>
/// <remarks>
/// The given model stays the caller's (dispose it as usual, in any order with this object); the workers and threads
/// belong to this object: dispose it to stop the threads and free the workers' activation blocks.
/// </remarks>
public sealed unsafe class ParallelForward : IDisposable
{
    /// <summary>Fewest rows worth handing to a thread; smaller batches use fewer threads, down to running inline.</summary>
    public const int MinRowsPerThread = 2;

    private readonly IModel _model;
    private readonly string _modelName;
    private readonly int _inputFeatures, _outputFeatures, _maxBatch;
    private readonly Worker[] _workers;
    private int _busy;
    private bool _disposed;

    /// <summary>Splits over <see cref="Environment.ProcessorCount"/> threads (the calling thread included).</summary>
    /// <param name="model">The model the calling thread runs; workers are created from it.</param>
    public ParallelForward(IModel model)
        : this(model, Environment.ProcessorCount)
    {
    }

    /// <summary>Splits over <paramref name="threadCount"/> threads, the calling thread included; 1 runs inline.</summary>
    /// <param name="model">The model the calling thread runs; workers are created from it.</param>
    /// <param name="threadCount">Threads per call, 1 or more: <paramref name="threadCount"/> - 1 workers and threads are created.</param>
    public ParallelForward(IModel model, int threadCount)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        _model = model;
        _modelName = model.GetType().Name;
        _inputFeatures = model.InputFeatures;
        _outputFeatures = model.OutputFeatures;
        _maxBatch = model.MaxBatch;
        _workers = new Worker[threadCount - 1];
        try
        {
            for (int i = 0; i < _workers.Length; i++)
            {
                _workers[i] = new Worker(model.CreateWorker(), $"ModelGen {_modelName} worker {i + 1}");
            }
        }
        catch
        {
            StopWorkers();
            throw;
        }
    }

    /// <summary>Threads a call may use, the calling thread included.</summary>
    public int ThreadCount => _workers.Length + 1;

    /// <summary>
    /// Runs <paramref name="batch"/> samples like the model's <c>Forward</c>, split over up to <see cref="ThreadCount"/>
    /// threads with at least <see cref="MinRowsPerThread"/> rows each. Returns when every range is done; an exception
    /// of any range is rethrown (the calling thread's first). Allocates nothing.
    /// </summary>
    /// <param name="input"><c>batch * InputFeatures</c> floats, sample after sample.</param>
    /// <param name="output">Receives <c>batch * OutputFeatures</c> floats.</param>
    /// <param name="batch">Number of samples, 1 to the model's <c>MaxBatch</c>.</param>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        ModelState.CheckForwardArguments(_modelName, input.Length, output.Length, batch, _inputFeatures, _outputFeatures, _maxBatch);
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException($"ParallelForward over {_modelName} is already running in another thread: one call at a time.");
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int parts = Math.Min(ThreadCount, batch / MinRowsPerThread);
            if (parts <= 1)
            {
                _model.Forward(input, output, batch);
                return;
            }

            RunSplit(input, output, batch, parts);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Stops the threads and disposes the workers. A second call does nothing; throws during <see cref="Forward"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException($"ParallelForward over {_modelName} cannot be disposed while Forward is running.");
        }

        Volatile.Write(ref _disposed, true);
        StopWorkers();
        Volatile.Write(ref _busy, 0);
    }

    private void RunSplit(ReadOnlySpan<float> input, Span<float> output, int batch, int parts)
    {
        // Rows split as evenly as possible; the first (batch % parts) ranges take one more row.
        int baseRows = batch / parts, extra = batch % parts;
        int callerRows = baseRows + (extra > 0 ? 1 : 0);
        fixed (float* x = input, y = output)
        {
            // The spans stay pinned until every worker has signalled it is done (the finally below).
            int row = callerRows;
            for (int i = 0; i < parts - 1; i++)
            {
                int rows = baseRows + (i + 1 < extra ? 1 : 0);
                _workers[i].Start(x + (long)row * _inputFeatures, y + (long)row * _outputFeatures, rows);
                row += rows;
            }

            try
            {
                _model.Forward(input[..(callerRows * _inputFeatures)], output[..(callerRows * _outputFeatures)], callerRows);
            }
            finally
            {
                for (int i = 0; i < parts - 1; i++)
                {
                    _workers[i].WaitDone();
                }
            }

            for (int i = 0; i < parts - 1; i++)
            {
                _workers[i].TakeError()?.Throw();
            }
        }
    }

    private void StopWorkers()
    {
        foreach (var worker in _workers)
        {
            worker?.Stop();
        }
    }

    // One long-lived thread and the model instance it runs. The main thread hands it a range through the fields and
    // the start semaphore; the semaphores' fences publish the fields both ways.
    private sealed class Worker
    {
        private readonly IModel _model;
        private readonly Thread _thread;
        private readonly SemaphoreSlim _start = new(0);
        private readonly SemaphoreSlim _done = new(0);
        private readonly int _inputFeatures, _outputFeatures;
        private float* _input, _output;
        private int _rows;
        private bool _stopping;
        private ExceptionDispatchInfo? _error;

        public Worker(IModel model, string name)
        {
            _model = model;
            _inputFeatures = model.InputFeatures;
            _outputFeatures = model.OutputFeatures;
            // Background: a ParallelForward that is never disposed must not keep the process alive.
            _thread = new Thread(Run) { IsBackground = true, Name = name };
            _thread.Start();
        }

        public void Start(float* input, float* output, int rows)
        {
            _input = input;
            _output = output;
            _rows = rows;
            _start.Release();
        }

        public void WaitDone() => _done.Wait();

        public ExceptionDispatchInfo? TakeError()
        {
            var error = _error;
            _error = null;
            return error;
        }

        public void Stop()
        {
            _stopping = true;
            _start.Release();
            _thread.Join();
            _model.Dispose();
            _start.Dispose();
            _done.Dispose();
        }

        private void Run()
        {
            while (true)
            {
                _start.Wait();
                if (_stopping)
                {
                    return;
                }

                try
                {
                    _model.Forward(new ReadOnlySpan<float>(_input, _rows * _inputFeatures), new Span<float>(_output, _rows * _outputFeatures), _rows);
                }
                catch (Exception e)
                {
                    // Captured here, rethrown on the calling thread with this thread's stack trace.
                    _error = ExceptionDispatchInfo.Capture(e);
                }
                finally
                {
                    _input = null;
                    _output = null;
                    _done.Release();
                }
            }
        }
    }
}
