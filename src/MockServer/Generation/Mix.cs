namespace MockServer.Generation;

/// <summary>SplitMix64 finaliser and helpers: cheap, stable hashing of integers into uniform bits.</summary>
internal static class Mix
{
    public static ulong Hash(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Hash(ulong a, ulong b) => Hash(a ^ Hash(b));

    public static ulong Hash(ulong a, ulong b, ulong c) => Hash(a ^ Hash(b ^ Hash(c)));

    /// <summary>A double in [0, 1) from the top 53 bits.</summary>
    public static double Unit(ulong bits) => (bits >> 11) * (1.0 / (1UL << 53));

    public static ulong OfString(string s)
    {
        var h = 14695981039346656037UL;
        foreach (var c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return Hash(h);
    }
}

/// <summary>A seeded SplitMix64 stream: the only randomness sampling uses, so a seed reproduces output exactly.</summary>
internal struct SeededRandom(ulong seed)
{
    private ulong _state = seed;

    public double NextDouble()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix.Unit(Mix.Hash(_state));
    }
}
