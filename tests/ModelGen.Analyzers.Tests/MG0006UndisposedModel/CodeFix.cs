using ModelGen.CodeFixes;

namespace ModelGen.Analyzers.Tests.MG0006UndisposedModel;

public sealed class CodeFix
{
    [Fact]
    public async Task LocalGetsUsing()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUndisposedModel(), Valid.Model + """
            public static class Use
            {
                public static void Run(string path, float[] x, float[] y)
                {
                    // the model for this run
                    var model = M.Load(path);
                    model.Forward(x, y, 1);
                }
            }
            """, "Add 'using'");

        Assert.Contains("""
                    // the model for this run
                    using var model = M.Load(path);
            """, fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task FieldIsAppendedToTheExistingDispose()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUndisposedModel(), Valid.Model + """
            public sealed class Owner : IDisposable
            {
                private readonly M _model;
                private readonly NativeBlock _scratch = new(64);
                public Owner(string path) => _model = M.Load(path);
                public int Size => _model.IsDisposed ? 0 : _scratch.Length;
                public void Dispose()
                {
                    _scratch.Dispose();
                }
            }
            """, "Dispose '_model' in Dispose()");

        Assert.Contains("""
                public void Dispose()
                {
                    _scratch.Dispose();
                    _model.Dispose();
                }
            """, fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task ExpressionBodiedDisposeBecomesABlockAndANullableFieldUsesConditionalAccess()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUndisposedModel(), Valid.Model + """
            public sealed class Owner : IDisposable
            {
                private readonly NativeBlock _scratch = new(64);
                private M? _model;
                public void Open(string path) => _model = M.Load(path);
                public int Size => _model is null ? 0 : _scratch.Length;
                public void Dispose() => _scratch.Dispose();
            }
            """);

        Assert.Contains("""
                public void Dispose()
                {
                    _scratch.Dispose();
                    _model?.Dispose();
                }
            """, fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task TypeWithoutDisposeImplementsIDisposable()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUndisposedModel(), Valid.Model + """
            public sealed class Cache
            {
                private readonly M _model;
                public Cache(string path) => _model = M.Load(path);
                public bool Ready => !_model.IsDisposed;
            }
            """);

        Assert.Contains("public sealed class Cache : IDisposable\n{", fixedSource.ReplaceLineEndings("\n"));
        Assert.Contains("""
                public void Dispose()
                {
                    _model.Dispose();
                }
            """, fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task WithoutUsingSystemTheInterfaceIsQualified()
    {
        var fixedSource = await CodeFixHarness.ApplyAsync(new FixUndisposedModel(), """
            namespace App
            {
                [ModelGen.Model]
                public partial class M
                {
                    [ModelGen.Dense(4, 2)]
                    public partial ModelGen.DenseLayer A { get; }
                }
                public class Cache<T> where T : class
                {
                    private ModelGen.NativeBlock? _block;
                    public void Reserve() => _block = new ModelGen.NativeBlock(64);
                    public int Size => _block?.Length ?? 0;
                }
            }
            """);

        Assert.Contains("public class Cache<T> : System.IDisposable where T : class", fixedSource);
        Assert.Contains("_block?.Dispose();", fixedSource);
        await AnalyzerHarness.VerifyValidAsync(fixedSource);
    }

    [Fact]
    public async Task DiscardedResultHasNoFix()
    {
        var titles = await CodeFixHarness.TitlesAsync(new FixUndisposedModel(), Valid.Model + """
            public static class Use
            {
                public static void Validate(string path) => M.Load(path);
            }
            """);

        Assert.Empty(titles);
    }

    [Fact]
    public async Task LocalWrittenAgainHasNoFix()
    {
        var titles = await CodeFixHarness.TitlesAsync(new FixUndisposedModel(), Valid.Model + """
            public static class Use
            {
                public static int Run(string path)
                {
                    var model = M.Load(path);
                    var width = model.IsDisposed ? 0 : 1;
                    model = null;
                    return width;
                }
            }
            """);

        Assert.Empty(titles);
    }
}
