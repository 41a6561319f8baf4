namespace ModelGen.Analyzers.Tests.MG0006UndisposedModel;

/// <summary>Each test is one way of disposing or handing over an instance; the rule would fire on it if it missed the case.</summary>
public sealed class Valid
{
    internal const string Model = """
        using System;
        using System.Collections.Generic;
        using System.IO;
        using ModelGen;
        [Model(MaxBatch = 4)]
        public partial class M
        {
            [Dense(4, 2)]
            public partial DenseLayer A { get; }
        }

        """;

    private static Task VerifyValidAsync(string code) => AnalyzerHarness.VerifyValidAsync(Model + code);

    [Fact]
    public Task UsingDeclaration() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y)
            {
                using var model = M.Load(path);
                model.Forward(x, y, 1);
            }
        }
        """);

    [Fact]
    public Task UsingStatement() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y)
            {
                using (var model = M.Load(path))
                {
                    model.Forward(x, y, 1);
                }
            }
        }
        """);

    [Fact]
    public Task UsingStatementOverTheCreation() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run()
            {
                using (new NativeBlock(128))
                {
                }
            }
        }
        """);

    [Fact]
    public Task UsingStatementOverAnExistingLocal() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y)
            {
                var model = M.Load(path);
                using (model)
                {
                    model.Forward(x, y, 1);
                }
            }
        }
        """);

    [Fact]
    public Task DisposedAfterUse() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y)
            {
                var model = M.Load(path);
                model.ForwardInBatches(x, y, 8);
                model.Dispose();
            }
        }
        """);

    [Fact]
    public Task DisposedInFinally() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y, bool skip)
            {
                var model = M.Load(path);
                try
                {
                    if (skip)
                    {
                        return;
                    }

                    model.Forward(x, y, 1);
                }
                finally
                {
                    model.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task AssignedInTryAndConditionallyDisposedInFinally() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y)
            {
                M? model = null;
                try
                {
                    model = M.Load(path);
                    model.Forward(x, y, 1);
                }
                finally
                {
                    model?.Dispose();
                }
            }
        }
        """);

    [Fact]
    public Task DisposedAfterALoopThatBreaks() => VerifyValidAsync("""
        public static class Use
        {
            public static void Run(string path, float[] x, float[] y, int n)
            {
                var model = M.Load(path);
                for (var i = 0; i < n; i++)
                {
                    if (i == 3)
                    {
                        break;
                    }

                    model.Forward(x, y, 1);
                }

                model.Dispose();
            }
        }
        """);

    [Fact]
    public Task ReturnedDirectly() => VerifyValidAsync("""
        public static class Use
        {
            public static M Open(string path) => M.Load(path);
        }
        """);

    [Fact]
    public Task ReturnedThroughALocal() => VerifyValidAsync("""
        public static class Use
        {
            public static IModel Open(string path, float[] x, float[] y)
            {
                var model = M.Load(path);
                model.Forward(x, y, 1);
                return model;
            }
        }
        """);

    [Fact]
    public Task PassedToAConstructor() => VerifyValidAsync("""
        public sealed class Owner(M model) : IDisposable
        {
            public M Model { get; } = model;
            public void Dispose() => Model.Dispose();
        }
        public static class Use
        {
            public static Owner Open(string path) => new Owner(M.Load(path));
            public static Owner OpenThroughALocal(string path)
            {
                var model = M.Load(path);
                return new Owner(model);
            }
        }
        """);

    [Fact]
    public Task AssignedToAPropertyOfAnotherObjectThatIsReturned() => VerifyValidAsync("""
        public sealed class Holder
        {
            public M? Model { get; set; }
            public NativeBlock? Scratch;
        }
        public static class Use
        {
            public static Holder Open(string path)
            {
                var holder = new Holder();
                holder.Model = M.Load(path);
                var block = new NativeBlock(64);
                holder.Scratch = block;
                return holder;
            }
            public static Holder OpenWithAnInitializer(string path) => new Holder { Model = M.Load(path) };
        }
        """);

    [Fact]
    public Task StoredInAFieldTheOwnerDisposes() => VerifyValidAsync("""
        public sealed class Owner : IDisposable
        {
            private readonly M _model;
            private readonly NativeBlock _scratch = new(256);
            private NativeBlock? _spare;
            public Owner(string path)
            {
                _model = M.Load(path);
                this._spare = new NativeBlock(64);
            }
            public void Dispose()
            {
                _model.Dispose();
                ((IDisposable)_scratch).Dispose();
                _spare?.Dispose();
            }
        }
        """);

    [Fact]
    public Task StoredInAFieldDisposedByADisposePatternHelper() => VerifyValidAsync("""
        public class Owner : IDisposable
        {
            private M? _model;
            public void Open(string path) => _model = M.Load(path);
            public void Dispose()
            {
                Dispose(true);
                GC.SuppressFinalize(this);
            }
            protected virtual void Dispose(bool disposing)
            {
                if (disposing)
                {
                    Release();
                }
            }
            private void Release() => _model?.Dispose();
        }
        """);

    [Fact]
    public Task StaticFieldCache() => VerifyValidAsync("""
        public static class Shared
        {
            public static readonly M Model = M.Load("model.safetensors");
        }
        """);

    [Fact]
    public Task Yielded() => VerifyValidAsync("""
        public static class Use
        {
            public static IEnumerable<M> OpenAll(string[] paths)
            {
                foreach (var path in paths)
                {
                    yield return M.Load(path);
                }
            }
        }
        """);

    [Fact]
    public Task AddedToACollection() => VerifyValidAsync("""
        public static class Use
        {
            public static void OpenAll(string[] paths, List<M> models)
            {
                foreach (var path in paths)
                {
                    models.Add(M.Load(path));
                }
            }
            public static void OpenOne(string path, List<IModel> models)
            {
                var model = M.Load(path);
                models.Add(model);
            }
        }
        """);

    [Fact]
    public Task CapturedByALambda() => VerifyValidAsync("""
        public static class Use
        {
            public static Action Open(string path, float[] x, float[] y)
            {
                var model = M.Load(path);
                return () =>
                {
                    model.Forward(x, y, 1);
                    model.Dispose();
                };
            }
            public static Func<M> Later(string path) => () => M.Load(path);
        }
        """);

    [Fact]
    public Task FromAParameterOrAGetter() => VerifyValidAsync("""
        public sealed class Registry
        {
            public M? Current { get; set; }
            public M Get() => Current!;
        }
        public static class Use
        {
            public static void Run(M model, Registry registry, float[] x, float[] y)
            {
                var same = model;
                same.Forward(x, y, 1);
                var current = registry.Get();
                current.Forward(x, y, 1);
                registry.Current?.Forward(x, y, 1);
            }
        }
        """);

    [Fact]
    public Task GenericLoadThroughIModel() => VerifyValidAsync("""
        public static class Use
        {
            public static int Width<T>(Stream weights) where T : IModel<T>
            {
                using var model = T.Load(weights);
                return model.OutputFeatures;
            }
        }
        """);
}
