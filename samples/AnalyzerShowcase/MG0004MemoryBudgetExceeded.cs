using ModelGen;

namespace AnalyzerShowcase;

// MG0004 (error, shown as a warning here): 1024 x 1024 fp32 weights alone take 4 MiB, far over the 64 KiB budget.
// Also MG0011 (info): the memory report of this valid model.
[Model(MemoryBudget = "64 KiB")]
public sealed partial class OverBudgetModel
{
    [Dense(1024, 1024)]
    public partial DenseLayer Wide { get; }
}
