namespace ModelGen.Testing;

/// <summary>
/// Sources that are wrong in every way a user (or a half-typed file in the IDE) can make them wrong. The generator and
/// the analyzer must survive all of them: no exception, and no diagnostic from the generator. Shared by both test projects.
/// </summary>
public static class MalformedModels
{
    private static readonly Dictionary<string, string> s_sources = new()
    {
        ["MissingOutFeatures"] = Model("[Dense(784)] public partial DenseLayer A { get; }"),
        ["NoArguments"] = Model("[Dense] public partial DenseLayer A { get; }"),
        ["EmptyArgumentList"] = Model("[Dense()] public partial DenseLayer A { get; }"),
        ["TooManyArguments"] = Model("[Dense(1, 2, 3)] public partial DenseLayer A { get; }"),
        ["StringForInt"] = Model("[Dense(\"784\", 10)] public partial DenseLayer A { get; }"),
        ["DoubleForInt"] = Model("[Dense(784.5, 10)] public partial DenseLayer A { get; }"),
        ["LongLiteral"] = Model("[Dense(3000000000, 10)] public partial DenseLayer A { get; }"),
        ["NegativeWidths"] = Model("[Dense(-1, -5)] public partial DenseLayer A { get; }"),
        ["ZeroWidths"] = Model("[Dense(0, 0)] public partial DenseLayer A { get; }"),
        ["IntMaxWidths"] = Model("[Dense(int.MaxValue, int.MaxValue)] public partial DenseLayer A { get; }"),
        ["IntMinWidths"] = Model("[Dense(int.MinValue, int.MinValue)] public partial DenseLayer A { get; }"),
        ["LayerOver2GiB"] = Model("[Dense(16777216, 16777216)] public partial DenseLayer A { get; }"),
        ["WeightBlockOver2GiB"] = Model(
            "[Dense(16384, 16384)] public partial DenseLayer A { get; }",
            "[Dense(16384, 16384)] public partial DenseLayer B { get; }"),
        ["ActivationBlockOver2GiB"] = WithOptions("MaxBatch = 1048576", "[Dense(4096, 4096)] public partial DenseLayer A { get; } [Dense(4096, 4096)] public partial DenseLayer B { get; }"),
        ["ConstantExpressions"] = Model("[Dense(2 * 392, 256 + 0, Name = \"a\" + \"b\")] public partial DenseLayer A { get; }"),
        ["DenseOnMethod"] = Model("[Dense(1, 2)] public DenseLayer M() => null!;"),
        ["DenseOnField"] = Model("[Dense(1, 2)] public DenseLayer F = null!;"),
        ["DenseOnClass"] = "using ModelGen; [Dense(1, 2)] public partial class M { }",
        ["NotPartialClass"] = "using ModelGen; [Model] public class M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["GenericClass"] = "using ModelGen; [Model] public partial class M<T> { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["NestedInGeneric"] = "using ModelGen; public partial class O<T> { [Model] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } } }",
        ["NestedInNonPartial"] = "using ModelGen; public class O { [Model] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } } }",
        ["StaticClass"] = "using ModelGen; [Model] public static partial class M { [Dense(1, 2)] public static partial DenseLayer A { get; } }",
        ["AbstractClass"] = "using ModelGen; [Model] public abstract partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["FileLocalClass"] = "using ModelGen; [Model] file partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["RecordClass"] = "using ModelGen; [Model] public partial record M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["Struct"] = "using ModelGen; [Model] public partial struct M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["Interface"] = "using ModelGen; [Model] public partial interface M { [Dense(1, 2)] DenseLayer A { get; } }",
        ["EmptyClass"] = "using ModelGen; [Model] public partial class M { }",
        ["ClassWithoutBody"] = "using ModelGen; [Model] public partial class M;",
        ["DuplicateModelAttribute"] = "using ModelGen; [Model, Model] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["ModelOnTwoParts"] = "using ModelGen; [Model] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } } [Model] public partial class M { }",
        ["DuplicateDenseAttribute"] = Model("[Dense(1, 2), Dense(2, 3)] public partial DenseLayer A { get; }"),
        ["ModelConstructorArgument"] = "using ModelGen; [Model(64)] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
        ["UnknownNamedArgument"] = Model("[Dense(1, 2, Depth = 3)] public partial DenseLayer A { get; }"),
        ["EnumsCastFromInts"] = Model("[Dense(1, 2, Activation = (Activation)42, Precision = (Precision)(-1))] public partial DenseLayer A { get; }"),
        ["StringForEnum"] = Model("[Dense(1, 2, Activation = \"Relu\")] public partial DenseLayer A { get; }"),
        ["IntForEnum"] = Model("[Dense(1, 2, Precision = 3)] public partial DenseLayer A { get; }"),
        ["ZeroLiteralForEnum"] = Model("[Dense(1, 2, Precision = 0)] public partial DenseLayer A { get; }"),
        ["NullName"] = Model("[Dense(1, 2, Name = null)] public partial DenseLayer A { get; }"),
        ["EmptyName"] = Model("[Dense(1, 2, Name = \"\")] public partial DenseLayer A { get; }"),
        ["QuoteAndControlNames"] = Model("[Dense(1, 2, Name = \"a\\\"b\")] public partial DenseLayer A { get; } [Dense(2, 3, Name = \"a\\nb\")] public partial DenseLayer B { get; }"),
        ["BadBudget"] = WithOptions("MemoryBudget = \"lots\"", "[Dense(1, 2)] public partial DenseLayer A { get; }"),
        ["HugeBudget"] = WithOptions("MemoryBudget = \"99999999999999999999999999999999 GiB\"", "[Dense(1, 2)] public partial DenseLayer A { get; }"),
        ["MaxBatchZero"] = WithOptions("MaxBatch = 0", "[Dense(1, 2)] public partial DenseLayer A { get; }"),
        ["MaxBatchIntMax"] = WithOptions("MaxBatch = int.MaxValue", "[Dense(1, 2)] public partial DenseLayer A { get; }"),
        ["MaxBatchString"] = WithOptions("MaxBatch = \"64\"", "[Dense(1, 2)] public partial DenseLayer A { get; }"),
        ["SoftmaxInt"] = WithOptions("Softmax = 1", "[Dense(1, 2)] public partial DenseLayer A { get; }"),
        ["BrokenAttributeSyntax"] = "using ModelGen; [Model(MaxBatch = ] public partial class M { [Dense(1, ] public partial DenseLayer A { get; } }",
        ["UnterminatedClass"] = "using ModelGen; [Model] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; }",
        ["MissingPropertyName"] = Model("[Dense(1, 2)] public partial DenseLayer { get; }"),
        ["WrongPropertyType"] = Model("[Dense(1, 2)] public partial int A { get; }"),
        ["NullableLayerType"] = Model("[Dense(1, 2)] public partial DenseLayer? A { get; }"),
        ["UnknownPropertyType"] = Model("[Dense(1, 2)] public partial Missing A { get; }"),
        ["SetterProperty"] = Model("[Dense(1, 2)] public partial DenseLayer A { get; set; }"),
        ["NotPartialProperty"] = Model("[Dense(1, 2)] public DenseLayer A { get; } = null!;"),
        ["StaticProperty"] = Model("[Dense(1, 2)] public static partial DenseLayer A { get; }"),
        ["Indexer"] = Model("[Dense(1, 2)] public partial DenseLayer this[int i] { get; }"),
        ["ImplementedProperty"] = Model("[Dense(1, 2)] public partial DenseLayer A { get; } public partial DenseLayer A => null!;"),
        ["ShapeMismatch"] = Model("[Dense(4, 8)] public partial DenseLayer A { get; }", "[Dense(7, 2)] public partial DenseLayer B { get; }"),
        ["DuplicateTensorNames"] = Model("[Dense(1, 2, Name = \"x\")] public partial DenseLayer A { get; }", "[Dense(2, 3, Name = \"x\")] public partial DenseLayer B { get; }"),
        ["ReservedPropertyName"] = Model("[Dense(1, 2)] public partial DenseLayer Memory { get; }"),
        ["ClashingFieldNames"] = Model("[Dense(1, 2, Name = \"p\")] public partial DenseLayer A { get; }", "[Dense(2, 3, Name = \"q\")] public partial DenseLayer a { get; }"),
        ["UserDeclaresForward"] = Model("[Dense(1, 2)] public partial DenseLayer A { get; }", "public void Forward() { }"),
        ["UnicodeNames"] = Model("[Dense(1, 2, Name = \"schicht\\u00fc\\u2028\")] public partial DenseLayer \u00dcbersicht { get; }"),
        ["KeywordNames"] = "using ModelGen; namespace @event.@class; [Model] public partial class @struct { [Dense(1, 2)] public partial DenseLayer @int { get; } }",
        ["MissingUsing"] = "[Model] public partial class M { [Dense(1, 2)] public partial DenseLayer A { get; } }",
    };

    /// <summary>The case names, for theories.</summary>
    public static TheoryData<string> Names => new(s_sources.Keys);

    /// <summary>The source of case <paramref name="name"/>.</summary>
    public static string Source(string name) => s_sources[name];

    private static string Model(params string[] members) => WithOptions("", members);

    private static string WithOptions(string options, params string[] members) =>
        $"using ModelGen; namespace Bad; [Model({options})] public partial class M {{ {string.Join(" ", members)} }}";
}
