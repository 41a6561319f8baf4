namespace ModelGen.Tests;

/// <summary>Proves code allocates nothing on the managed heap once warm.</summary>
internal static class AllocationAssert
{
    /// <summary>
    /// Runs <paramref name="round"/> until one run leaves <see cref="GC.GetAllocatedBytesForCurrentThread"/> unchanged.
    /// The runtime itself may allocate on this thread while it tiers up freshly called code, so a single round can move
    /// the counter for reasons outside the code under test; code that allocated would move it in every round.
    /// </summary>
    public static void SteadyStateAllocatesNothing(Action round, string what)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            round();
            if (GC.GetAllocatedBytesForCurrentThread() == before)
            {
                return;
            }
        }

        Assert.Fail($"every one of 20 rounds of {what} allocated managed memory");
    }
}
