using System.Collections.Immutable;
using System.Globalization;

namespace ModelGen;

/// <summary>Where a memory limit was read.</summary>
public enum MemoryLimitSource
{
    /// <summary>cgroup v2: <c>memory.max</c> and <c>memory.current</c>.</summary>
    CgroupV2,

    /// <summary>cgroup v1: <c>memory/memory.limit_in_bytes</c> and <c>memory/memory.usage_in_bytes</c>.</summary>
    CgroupV1,

    /// <summary>
    /// The GC's <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> (physical memory, the container limit, or a
    /// configured GC heap hard limit), with <see cref="GCMemoryInfo.MemoryLoadBytes"/> as the use.
    /// </summary>
    GarbageCollector,
}

/// <summary>One memory limit and, when known, the memory in use against it.</summary>
/// <param name="Source">Where the figures were read.</param>
/// <param name="LimitBytes">The limit in bytes.</param>
/// <param name="UsedBytes">Bytes in use against the limit, or null when that could not be read.</param>
public sealed record MemoryLimit(MemoryLimitSource Source, long LimitBytes, long? UsedBytes)
{
    /// <summary>Limit minus use (never negative), or null when the use is unknown.</summary>
    public long? HeadroomBytes => UsedBytes is { } used ? Math.Max(0, LimitBytes - used) : null;
}

/// <summary>
/// The memory actually available to this process: the cgroup v2 and v1 limits of the cgroup mounted at
/// <c>/sys/fs/cgroup</c> (what a process in a container sees) and the GC's view of available memory. Reports the
/// smallest known limit and the headroom against it, so batch sizes can follow the container rather than the host.
/// A snapshot: take a new one to see later use. Files that are missing, unreadable or malformed are skipped and
/// described in <see cref="Notes"/>; reading never throws.
/// </summary>
public sealed class MemoryAvailability
{
    /// <summary>cgroup v1 reports "no limit" as a huge page-aligned value (2^63 - page size); anything from 2^62 up means unlimited.</summary>
    internal const long CgroupV1UnlimitedThreshold = 1L << 62;

    private const string DefaultCgroupRoot = "/sys/fs/cgroup";

    private MemoryAvailability(ImmutableArray<MemoryLimit> limits, ImmutableArray<string> notes)
    {
        Limits = limits;
        Notes = notes;
        foreach (var limit in limits)
        {
            if (Limit is null || limit.LimitBytes < Limit.LimitBytes)
            {
                Limit = limit;
            }
        }
    }

    /// <summary>Every limit that could be read (unlimited cgroups are not limits and are listed in <see cref="Notes"/>).</summary>
    public ImmutableArray<MemoryLimit> Limits { get; }

    /// <summary>The smallest known limit (ties: the first read, cgroup v2 before v1 before the GC), or null when none is known.</summary>
    public MemoryLimit? Limit { get; }

    /// <summary>The smallest known limit in bytes, or null.</summary>
    public long? LimitBytes => Limit?.LimitBytes;

    /// <summary>Where <see cref="LimitBytes"/> came from, or null.</summary>
    public MemoryLimitSource? Source => Limit?.Source;

    /// <summary>
    /// <see cref="LimitBytes"/> minus the memory in use against that same limit, or null when the use is unknown.
    /// cgroup use includes the page cache the kernel can reclaim, so this errs on the small side.
    /// </summary>
    public long? HeadroomBytes => Limit?.HeadroomBytes;

    /// <summary>What was skipped and why: missing or unreadable files, malformed values, unlimited cgroups.</summary>
    public ImmutableArray<string> Notes { get; }

    /// <summary>Reads the limits of this process now.</summary>
    public static MemoryAvailability Read()
    {
        var gc = GC.GetGCMemoryInfo();

        // Before the first GC the memory load is not measured yet (0); the process's working set is then a lower bound.
        long gcUsed = gc.MemoryLoadBytes > 0 ? gc.MemoryLoadBytes : Environment.WorkingSet;
        return Read(DefaultCgroupRoot, gc.TotalAvailableMemoryBytes, gcUsed);
    }

    /// <summary>
    /// Reads the cgroup files under <paramref name="cgroupRoot"/> (in place of <c>/sys/fs/cgroup</c>) and takes the GC's
    /// figures as given, so tests can feed fake cgroup trees. A GC limit of 0 or less is ignored.
    /// </summary>
    internal static MemoryAvailability Read(string cgroupRoot, long gcTotalAvailableBytes, long gcUsedBytes)
    {
        var limits = ImmutableArray.CreateBuilder<MemoryLimit>();
        var notes = ImmutableArray.CreateBuilder<string>();

        ReadCgroup(MemoryLimitSource.CgroupV2, Path.Combine(cgroupRoot, "memory.max"), Path.Combine(cgroupRoot, "memory.current"), limits, notes);
        string v1 = Path.Combine(cgroupRoot, "memory");
        ReadCgroup(MemoryLimitSource.CgroupV1, Path.Combine(v1, "memory.limit_in_bytes"), Path.Combine(v1, "memory.usage_in_bytes"), limits, notes);

        if (gcTotalAvailableBytes > 0)
        {
            limits.Add(new MemoryLimit(MemoryLimitSource.GarbageCollector, gcTotalAvailableBytes, gcUsedBytes >= 0 ? gcUsedBytes : null));
        }
        else
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"GarbageCollector: TotalAvailableMemoryBytes is {gcTotalAvailableBytes}; ignored."));
        }

        return new MemoryAvailability(limits.ToImmutable(), notes.ToImmutable());
    }

    /// <summary>A readable summary: the limit, its source, the headroom and the notes.</summary>
    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string head = Limit is null
            ? "memory limit unknown"
            : string.Create(c, $"memory limit {Limit.LimitBytes:N0} bytes ({Limit.Source}), headroom {(HeadroomBytes is { } h ? h.ToString("N0", c) + " bytes" : "unknown")}");
        return Notes.IsEmpty ? head : head + "; " + string.Join("; ", Notes);
    }

    private static void ReadCgroup(MemoryLimitSource source, string limitPath, string usagePath,
        ImmutableArray<MemoryLimit>.Builder limits, ImmutableArray<string>.Builder notes)
    {
        var limitText = ReadFirstLine(source, limitPath, notes);
        if (limitText is null)
        {
            return;
        }

        if (source == MemoryLimitSource.CgroupV2 && limitText == "max")
        {
            notes.Add($"{source}: {limitPath} is 'max' (no limit).");
            return;
        }

        if (!TryParseBytes(limitText, out long limit))
        {
            notes.Add($"{source}: {limitPath} holds '{Shorten(limitText)}', not a byte count; ignored.");
            return;
        }

        if (source == MemoryLimitSource.CgroupV1 && limit >= CgroupV1UnlimitedThreshold)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{source}: {limitPath} is {limit} (no limit)."));
            return;
        }

        long? used = null;
        var usageText = ReadFirstLine(source, usagePath, notes);
        if (usageText is not null)
        {
            if (TryParseBytes(usageText, out long parsed))
            {
                used = parsed;
            }
            else
            {
                notes.Add($"{source}: {usagePath} holds '{Shorten(usageText)}', not a byte count; use unknown.");
            }
        }

        limits.Add(new MemoryLimit(source, limit, used));
    }

    // The first line, trimmed; null (with a note) when the file is missing or cannot be read.
    private static string? ReadFirstLine(MemoryLimitSource source, string path, ImmutableArray<string>.Builder notes)
    {
        try
        {
            using var reader = new StreamReader(path);
            return (reader.ReadLine() ?? string.Empty).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            notes.Add($"{source}: {path} not found.");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            notes.Add($"{source}: {path} could not be read ({e.GetType().Name}: {e.Message}).");
            return null;
        }
    }

    private static bool TryParseBytes(string text, out long bytes) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bytes);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
