using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

public sealed class MemoryBudgetTests
{
    [Theory]
    [InlineData("1048576", 1048576L)]
    [InlineData("0", 0L)]
    [InlineData("512 B", 512L)]
    [InlineData("512B", 512L)]
    [InlineData("1 KB", 1000L)]
    [InlineData("1 kb", 1000L)]
    [InlineData("2 MB", 2_000_000L)]
    [InlineData("3 GB", 3_000_000_000L)]
    [InlineData("1 KiB", 1024L)]
    [InlineData("4 MiB", 4L << 20)]
    [InlineData("4 mib", 4L << 20)]
    [InlineData("4MIB", 4L << 20)]
    [InlineData("2 GiB", 2L << 30)]
    [InlineData("1.5 KiB", 1536L)]
    [InlineData("1.1 GB", 1_100_000_000L)]
    [InlineData("0.5 B", 0L)]
    [InlineData("2.9999", 2L)]
    [InlineData("007 KB", 7000L)]
    [InlineData("8589934591 GiB", 8589934591L << 30)]
    public void ParsesSizes(string text, long expected)
    {
        Assert.True(MemoryBudget.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("MiB")]
    [InlineData("four MiB")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1e6")]
    [InlineData("1,000")]
    [InlineData("1.")]
    [InlineData(".5 MiB")]
    [InlineData("1..5 MiB")]
    [InlineData(" 4 MiB")]
    [InlineData("4 MiB ")]
    [InlineData("4  MiB")]
    [InlineData("4 ")]
    [InlineData("4 TB")]
    [InlineData("4 Mb/s")]
    [InlineData("4 M")]
    [InlineData("4 KıB")]
    [InlineData("٤ MiB")]
    [InlineData("8589934592 GiB")]
    [InlineData("99999999999999999999999999999999")]
    [InlineData("9223372036854775808")]
    public void RejectsEverythingElse(string text)
    {
        Assert.False(MemoryBudget.TryParse(text, out var bytes));
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void LargestByteCountParses()
    {
        Assert.True(MemoryBudget.TryParse("9223372036854775807", out var bytes));
        Assert.Equal(long.MaxValue, bytes);
    }
}
