using System.Runtime.ExceptionServices;

namespace ModelGen;

/// <summary>
/// Runs one model's <c>Forward</c> over several threads: the batch is split into contiguous row ranges, the calling
/// thread runs the first and long-lived threads the others, each on its own worker made with
/// <see cref="IModel.CreateWorker"/> (sharing the model's weight block, one activation block each). Each row's result
/// is bit-equal to a single-threaded <c>Forward</c> of the whole batch (with the default <see cref="RowAlignment"/>).
/// A call allocates nothing and waits for every range; one call at a time.
/// </summary>
/// <remarks>
/// The workers hold shares of the weights, so the given model stays the caller's and may be disposed before or after
/// this object. Dispose this object to stop its threads and free the workers.
/// </remarks>
public sealed unsafe class ParallelForward : IDisposable
{
    /// <summary>Fewest rows worth handing to a thread; smaller batches use fewer threads, down to running inline.</summary>
    public const int MinRowsPerThread = 2;

    /// <summary>
    /// Default <see cref="RowAlignment"/>: 24, a multiple of every kernel's register tile of x rows (3 for fp32 and 4
    /// for 16-bit weights on AVX2, 4 on Vector128/AdvSimd) and of the 8-row chunks of 16-bit activation storage. A
    /// float row's rounding depends on its position in these tiles (a whole tile and the tail rows sum in different
    /// orders), so ranges that start on such a multiple tile every row as the whole batch does.
    /// </summary>
    public const int BitExactRowAlignment = 24;

    private readonly IModel _callerWorker;
    private readonly string _modelName;
    private readonly int _inputFeatures, _outputFeatures, _maxBatch;
    private readonly Worker[] _workers;
    private readonly int _rowAlignment;
    private int _busy;
    private bool _disposed;

    /// <summary>Splits over <see cref="Environment.ProcessorCount"/> threads (the calling thread included).</summary>
    /// <param name="model">The model to run; only its workers are used after construction.</param>
    public ParallelForward(IModel model)
        : this(model, Environment.ProcessorCount)
    {
    }

    /// <summary>Splits over <paramref name="threadCount"/> threads, the calling thread included; 1 runs inline.</summary>
    /// <param name="model">The model to run; only its workers are used after construction.</param>
    /// <param name="threadCount">Threads per call, 1 or more, the calling thread included: <paramref name="threadCount"/> workers and <paramref name="threadCount"/> - 1 threads are created.</param>
    /// <param name="rowAlignment">
    /// Ranges start on multiples of this many rows: <see cref="BitExactRowAlignment"/> keeps results bit-equal to one
    /// thread; 1 balances the threads exactly, with float results that may differ from one thread in the last bits.
    /// </param>
    public ParallelForward(IModel model, int threadCount, int rowAlignment = BitExactRowAlignment)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowAlignment, 1);
        _rowAlignment = rowAlignment;
        _modelName = model.GetType().Name;
        _inputFeatures = model.InputFeatures;
        _outputFeatures = model.OutputFeatures;
        _maxBatch = model.MaxBatch;
        _callerWorker = model.CreateWorker();
        _workers = new Worker[threadCount - 1];
        try
        {
            for (int i = 0; i < _workers.Length; i++)
            {
                var worker = model.CreateWorker();
                try
                {
                    _workers[i] = new Worker(worker, $"ModelGen {_modelName} worker {i + 1}");
                }
                catch
                {
                    worker.Dispose();
                    throw;
                }
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

    /// <summary>Ranges start on multiples of this many rows (see the constructor).</summary>
    public int RowAlignment => _rowAlignment;

    /// <summary>
    /// Runs <paramref name="batch"/> samples like the model's <c>Forward</c>, split over up to <see cref="ThreadCount"/>
    /// threads with at least <see cref="MinRowsPerThread"/> rows each, ranges starting on multiples of
    /// <see cref="RowAlignment"/> (a batch too small for two such ranges runs inline). Returns when every range is done;
    /// an exception of any range is rethrown (the calling thread's first). Allocates nothing.
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
            // The calling thread takes the first range that is not empty once aligned; all of it runs inline.
            int parts = Math.Min(ThreadCount, batch / MinRowsPerThread);
            int callerRows = batch;
            for (int i = 1; i < parts && callerRows == batch; i++)
            {
                int start = RangeStart(i, parts, batch);
                callerRows = start > 0 ? start : batch;
            }

            if (callerRows == batch)
            {
                _callerWorker.Forward(input, output, batch);
                return;
            }

            RunSplit(input, output, batch, parts, callerRows);
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

    // Range i of parts starts at i * batch / parts rounded to the nearest multiple of the alignment: ranges of nearly
    // equal size, some possibly empty once aligned.
    private int RangeStart(int i, int parts, int batch)
    {
        long even = (long)i * batch;
        long aligned = (even + (long)parts * _rowAlignment / 2) / ((long)parts * _rowAlignment) * _rowAlignment;
        return (int)Math.Min(aligned, batch);
    }

    private void RunSplit(ReadOnlySpan<float> input, Span<float> output, int batch, int parts, int callerRows)
    {
        int started = 0;
        fixed (float* x = input, y = output)
        {
            // The spans stay pinned until every started worker has signalled it is done (the finally below).
            int row = callerRows;
            for (int i = 2; i <= parts && row < batch; i++)
            {
                int end = i == parts ? batch : Math.Max(row, RangeStart(i, parts, batch));
                if (end > row)
                {
                    _workers[started++].Start(x + (long)row * _inputFeatures, y + (long)row * _outputFeatures, end - row);
                    row = end;
                }
            }

            try
            {
                _callerWorker.Forward(input[..(callerRows * _inputFeatures)], output[..(callerRows * _outputFeatures)], callerRows);
            }
            finally
            {
                for (int i = 0; i < started; i++)
                {
                    _workers[i].WaitDone();
                }
            }

            for (int i = 0; i < started; i++)
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

        _callerWorker.Dispose();
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
