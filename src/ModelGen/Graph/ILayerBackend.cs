namespace ModelGen;

/// <summary>Where graph layers run (CONTRACT STUB: one method per layer kind, designed by the runtime work item).</summary>
public interface ILayerBackend
{
}

/// <summary>The CPU kernels (CONTRACT STUB).</summary>
public class CpuLayerBackend : ILayerBackend
{
    /// <summary>The shared default instance.</summary>
    public static CpuLayerBackend Instance { get; } = new();
}
