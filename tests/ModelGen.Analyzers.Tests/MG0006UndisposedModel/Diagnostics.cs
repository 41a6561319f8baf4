namespace ModelGen.Analyzers.Tests.MG0006UndisposedModel;

public sealed class Diagnostics
{
    private const string LocalMessage = "The 'M' created by 'M.Load' owns native memory, but local 'model' is not disposed on every path: declare it with 'using', or dispose it in a finally block";

    private static Task<string> VerifySingleAsync(string code) => AnalyzerHarness.VerifySingleAsync(Valid.Model + code);

    [Fact]
    public async Task LocalNeverDisposed()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static void Run(string path, float[] x, float[] y)
                {
                    var model = {|MG0006:M.Load(path)|};
                    model.ForwardInBatches(x, y, 8);
                }
            }
            """);

        Assert.Equal(LocalMessage, message);
    }

    [Fact]
    public async Task WorkersAndParallelRunnersOwnMemoryToo()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync(Valid.Model + """
            public static class Use
            {
                public static void Run(M model, float[] x, float[] y)
                {
                    var worker = {|MG0006:model.CreateWorker()|};
                    worker.Forward(x, y, 1);
                    var parallel = {|MG0006:new ParallelForward(model, 2)|};
                    parallel.Forward(x, y, 1);
                }
            }
            """);

        Assert.Equal(
            ["The 'M' created by 'M.CreateWorker' owns native memory, but local 'worker' is not disposed on every path: declare it with 'using', or dispose it in a finally block",
             "The 'ParallelForward' created by 'new ParallelForward' owns native memory, but local 'parallel' is not disposed on every path: declare it with 'using', or dispose it in a finally block"],
            diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task DisposedInOnlyOneBranchOfAnIf()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static void Run(string path, float[] x, float[] y, bool done)
                {
                    var model = {|MG0006:M.Load(path)|};
                    model.Forward(x, y, 1);
                    if (done)
                    {
                        model.Dispose();
                    }
                }
            }
            """);

        Assert.Equal(LocalMessage, message);
    }

    [Fact]
    public async Task AnEarlyReturnSkipsTheDispose()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static void Run(string path, float[] x, float[] y, int n)
                {
                    var model = {|MG0006:M.Load(path)|};
                    if (n == 0)
                    {
                        return;
                    }

                    model.Forward(x, y, n);
                    model.Dispose();
                }
            }
            """);

        Assert.Equal(LocalMessage, message);
    }

    [Fact]
    public async Task DisposedOnlyInCatch()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static void Run(string path, float[] x, float[] y)
                {
                    var model = {|MG0006:M.Load(path)|};
                    try
                    {
                        model.Forward(x, y, 1);
                    }
                    catch (ArgumentException)
                    {
                        model.Dispose();
                        throw;
                    }
                }
            }
            """);

        Assert.Equal(LocalMessage, message);
    }

    [Fact]
    public async Task LocalAssignedAfterItsDeclaration()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static bool Run(Stream weights)
                {
                    M? model = null;
                    model = {|MG0006:M.Load(weights)|};
                    return model.IsDisposed;
                }
            }
            """);

        Assert.Equal(LocalMessage, message);
    }

    [Fact]
    public async Task NativeBlockLocal()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static int Run()
                {
                    var scratch = {|MG0006:new NativeBlock(1024)|};
                    return scratch.Length;
                }
            }
            """);

        Assert.Equal("The 'NativeBlock' created by 'new NativeBlock' owns native memory, but local 'scratch' is not disposed on every path: declare it with 'using', or dispose it in a finally block", message);
    }

    [Fact]
    public async Task GenericLoadThroughIModel()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static int Width<T>(Stream weights) where T : IModel<T>
                {
                    var model = {|MG0006:T.Load(weights)|};
                    return model.OutputFeatures;
                }
            }
            """);

        Assert.Equal("The 'T' created by 'T.Load' owns native memory, but local 'model' is not disposed on every path: declare it with 'using', or dispose it in a finally block", message);
    }

    [Fact]
    public async Task ResultDiscardedAsAStatement()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static void Validate(string path)
                {
                    {|MG0006:M.Load(path)|};
                }
            }
            """);

        Assert.Equal("The 'M' created by 'M.Load' owns native memory, but the result is discarded, so it can never be disposed", message);
    }

    [Fact]
    public async Task ResultAssignedToADiscard()
    {
        var message = await VerifySingleAsync("""
            public static class Use
            {
                public static void Reserve()
                {
                    _ = {|MG0006:new NativeBlock(64)|};
                }
            }
            """);

        Assert.Equal("The 'NativeBlock' created by 'new NativeBlock' owns native memory, but the result is discarded, so it can never be disposed", message);
    }

    [Fact]
    public async Task FieldOfATypeThatIsNotDisposable()
    {
        var message = await VerifySingleAsync("""
            public sealed class Cache
            {
                private M? _model;
                public void Open(string path) => _model = {|MG0006:M.Load(path)|};
                public bool Ready => _model is { IsDisposed: false };
            }
            """);

        Assert.Equal("The 'M' created by 'M.Load' owns native memory, but it is stored in field 'Cache._model' and 'Cache' is not IDisposable", message);
    }

    [Fact]
    public async Task FieldInitializerOfADisposableTypeThatForgetsIt()
    {
        var message = await VerifySingleAsync("""
            public sealed class Owner : IDisposable
            {
                private readonly M _model = M.Load("a.safetensors");
                private readonly NativeBlock _scratch = {|MG0006:new NativeBlock(256)|};
                public int Size => _model.IsDisposed ? 0 : _scratch.Length;
                public void Dispose() => _model.Dispose();
            }
            """);

        Assert.Equal("The 'NativeBlock' created by 'new NativeBlock' owns native memory, but it is stored in field 'Owner._scratch', which 'Owner' never disposes in its Dispose method", message);
    }

    [Fact]
    public async Task FieldDisposedOutsideDispose()
    {
        // Reload frees the previous instance, but the last one is never freed.
        var message = await VerifySingleAsync("""
            public sealed class Owner : IDisposable
            {
                private M? _model;
                private bool _disposed;
                public void Reload(string path)
                {
                    _model?.Dispose();
                    _model = {|MG0006:M.Load(path)|};
                }
                public void Dispose() => _disposed = true;
                public bool Disposed => _disposed;
            }
            """);

        Assert.Equal("The 'M' created by 'M.Load' owns native memory, but it is stored in field 'Owner._model', which 'Owner' never disposes in its Dispose method", message);
    }
}
