namespace ModelGen.Kernels;

/// <summary>A compile-time switch for the software prefetches of a streaming kernel (the JIT drops the dead branch).</summary>
internal interface IPrefetchFlag
{
    static abstract bool Enabled { get; }
}

internal readonly struct Prefetch : IPrefetchFlag
{
    public static bool Enabled => true;
}

internal readonly struct NoPrefetch : IPrefetchFlag
{
    public static bool Enabled => false;
}
