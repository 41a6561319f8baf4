namespace ModelGen.Tests.Memory;

public sealed class MemoryAvailabilityTests : IDisposable
{
    private const long GiB = 1L << 30, MiB = 1L << 20;

    // A fake cgroup tree per test, in place of /sys/fs/cgroup.
    private readonly string _root = Directory.CreateTempSubdirectory("modelgen-cgroup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Cgroup_v2_limit_and_use_are_read()
    {
        Write("memory.max", "1073741824\n");
        Write("memory.current", "104857600\n");

        var a = MemoryAvailability.Read(_root, 16 * GiB, 2 * GiB);

        Assert.Equal(MemoryLimitSource.CgroupV2, a.Source);
        Assert.Equal(GiB, a.LimitBytes);
        Assert.Equal(GiB - (100 * MiB), a.HeadroomBytes);
        Assert.Equal(2, a.Limits.Length); // cgroup v2 and the GC
    }

    [Fact]
    public void Cgroup_v2_max_means_no_limit()
    {
        Write("memory.max", "max\n");
        Write("memory.current", "104857600\n");

        var a = MemoryAvailability.Read(_root, 16 * GiB, 2 * GiB);

        Assert.Equal(MemoryLimitSource.GarbageCollector, a.Source);
        Assert.Equal(14 * GiB, a.HeadroomBytes);
        Assert.Contains(a.Notes, n => n.Contains("CgroupV2", StringComparison.Ordinal) && n.Contains("no limit", StringComparison.Ordinal));
    }

    [Fact]
    public void Cgroup_v1_limit_and_use_are_read()
    {
        Write("memory/memory.limit_in_bytes", "536870912\n");
        Write("memory/memory.usage_in_bytes", "500000000\n");

        var a = MemoryAvailability.Read(_root, 16 * GiB, 2 * GiB);

        Assert.Equal(MemoryLimitSource.CgroupV1, a.Source);
        Assert.Equal(512 * MiB, a.LimitBytes);
        Assert.Equal((512 * MiB) - 500_000_000, a.HeadroomBytes);
    }

    [Theory]
    [InlineData("9223372036854771712")] // 2^63 - 4 KiB: "unlimited" with 4 KiB pages
    [InlineData("9223372036854710272")] // 2^63 - 64 KiB: with 64 KiB pages (arm64)
    public void Cgroup_v1_huge_value_means_no_limit(string unlimited)
    {
        Write("memory/memory.limit_in_bytes", unlimited);
        Write("memory/memory.usage_in_bytes", "1000");

        var a = MemoryAvailability.Read(_root, 16 * GiB, 2 * GiB);

        Assert.Equal(MemoryLimitSource.GarbageCollector, a.Source);
        Assert.Equal(16 * GiB, a.LimitBytes);
        Assert.Contains(a.Notes, n => n.Contains("CgroupV1", StringComparison.Ordinal) && n.Contains("no limit", StringComparison.Ordinal));
    }

    [Fact]
    public void The_smallest_limit_wins_and_its_own_use_gives_the_headroom()
    {
        Write("memory.max", "2147483648");
        Write("memory.current", "1073741824");
        Write("memory/memory.limit_in_bytes", "1610612736");
        Write("memory/memory.usage_in_bytes", "1073741824");

        var v1 = MemoryAvailability.Read(_root, 4 * GiB, 3 * GiB);
        Assert.Equal(MemoryLimitSource.CgroupV1, v1.Source);
        Assert.Equal(GiB / 2, v1.HeadroomBytes);
        Assert.Equal(3, v1.Limits.Length);

        var gc = MemoryAvailability.Read(_root, GiB, GiB / 4);
        Assert.Equal(MemoryLimitSource.GarbageCollector, gc.Source);
        Assert.Equal(GiB * 3 / 4, gc.HeadroomBytes);
    }

    [Fact]
    public void A_missing_tree_leaves_the_gc_limit_and_says_what_was_missing()
    {
        var a = MemoryAvailability.Read(Path.Combine(_root, "absent"), 8 * GiB, 5 * GiB);

        Assert.Equal(MemoryLimitSource.GarbageCollector, a.Source);
        Assert.Equal(3 * GiB, a.HeadroomBytes);
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV2:", StringComparison.Ordinal) && n.EndsWith("not found.", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV1:", StringComparison.Ordinal) && n.EndsWith("not found.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("-5")]
    [InlineData("1.5G")]
    [InlineData("12 34")]
    [InlineData("99999999999999999999999")] // beyond long
    public void Malformed_limits_are_ignored_with_the_source_named(string content)
    {
        Write("memory.max", content);
        Write("memory.current", "1000");
        Write("memory/memory.limit_in_bytes", content);
        Write("memory/memory.usage_in_bytes", "1000");

        var a = MemoryAvailability.Read(_root, 8 * GiB, GiB);

        Assert.Equal(MemoryLimitSource.GarbageCollector, a.Source);
        Assert.Single(a.Limits);
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV2:", StringComparison.Ordinal) && n.Contains("not a byte count", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV1:", StringComparison.Ordinal) && n.Contains("not a byte count", StringComparison.Ordinal));
    }

    [Fact]
    public void A_malformed_or_missing_use_keeps_the_limit_with_unknown_headroom()
    {
        Write("memory.max", "1073741824");
        Write("memory.current", "lots");
        Write("memory/memory.limit_in_bytes", "536870912"); // no usage file

        var a = MemoryAvailability.Read(_root, 16 * GiB, GiB);

        Assert.Equal(MemoryLimitSource.CgroupV1, a.Source);
        Assert.Null(a.HeadroomBytes);
        Assert.Null(a.Limits.Single(l => l.Source == MemoryLimitSource.CgroupV2).UsedBytes);
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV2:", StringComparison.Ordinal) && n.Contains("use unknown", StringComparison.Ordinal));
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV1:", StringComparison.Ordinal) && n.Contains("memory.usage_in_bytes not found", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreadable_file_is_skipped_without_an_exception()
    {
        Directory.CreateDirectory(Path.Combine(_root, "memory.max")); // a directory where the file should be

        var a = MemoryAvailability.Read(_root, 8 * GiB, GiB);

        Assert.Equal(MemoryLimitSource.GarbageCollector, a.Source);
        Assert.Contains(a.Notes, n => n.StartsWith("CgroupV2:", StringComparison.Ordinal) && n.Contains("could not be read", StringComparison.Ordinal));
    }

    [Fact]
    public void Use_above_the_limit_gives_zero_headroom()
    {
        Write("memory.max", "1000000");
        Write("memory.current", "2000000");

        Assert.Equal(0, MemoryAvailability.Read(_root, 8 * GiB, GiB).HeadroomBytes);
    }

    [Fact]
    public void Without_any_limit_nothing_is_known()
    {
        var a = MemoryAvailability.Read(_root, 0, 0);

        Assert.Null(a.Limit);
        Assert.Null(a.HeadroomBytes);
        Assert.Contains("unknown", a.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void This_process_has_a_limit_no_larger_than_the_gc_sees()
    {
        var a = MemoryAvailability.Read();

        Assert.NotNull(a.Limit);
        Assert.InRange(a.LimitBytes!.Value, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
        Assert.NotNull(a.HeadroomBytes);
        Assert.InRange(a.HeadroomBytes!.Value, 0, a.LimitBytes.Value);
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
