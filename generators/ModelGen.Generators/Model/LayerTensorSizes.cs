namespace ModelGen.Generators.Model;

/// <summary>
/// Byte sizes of a layer's packed tensors, in layout order: the build-time mirror of the runtime's
/// <c>DenseLayout.Tensors</c> (a test keeps them equal on random layers). Absent tensors are -1.
/// </summary>
/// <param name="Weight">Weight tensor: dense matrix, int4 nibbles, codebook indices or sparse values.</param>
/// <param name="Structure">Sparse structure or 2:4 metadata.</param>
/// <param name="Scale">Int8 row scales (fp32) or int4 block scales (fp16).</param>
/// <param name="Min">Int4Asymmetric block minimums (fp16).</param>
/// <param name="Codebook">fp16 codebook(s).</param>
/// <param name="InputScale">The fp32 static input scale.</param>
/// <param name="Bias">fp32 bias.</param>
internal readonly record struct LayerTensorSizes(long Weight, long Structure, long Scale, long Min, long Codebook, long InputScale, long Bias)
{
    /// <summary>The sizes for a layer computing <paramref name="k"/> -> <paramref name="n"/> features.</summary>
    public static LayerTensorSizes For(DenseSpec layer, int k, int n, bool storedSparse)
    {
        var precision = layer.Precision;
        var scheme = layer.Scheme;
        var valueBytes = precision == LayerPrecision.Int8 ? 1 : 4;
        long weight, structure = -1, scale = -1, min = -1, codebook = -1;
        if (scheme.Pruning == LayerPruning.Magnitude && storedSparse)
        {
            var kept = SparseSizes.KeptPerRow(k, scheme.Sparsity ?? 0);
            weight = SparseSizes.UnstructuredValueCount(n, kept) * valueBytes;
            structure = SparseSizes.UnstructuredStructureBytes(n, k, kept, precision == LayerPrecision.Int8);
        }
        else if (scheme.Pruning == LayerPruning.TwoOfFour)
        {
            weight = SparseSizes.TwoOfFourValueCount(n, k) * valueBytes;
            structure = SparseSizes.TwoOfFourMetaBytes(n, k);
        }
        else
        {
            weight = precision switch
            {
                LayerPrecision.Float32 => 4L * n * k,
                LayerPrecision.Float16 or LayerPrecision.BFloat16 => 2L * n * k,
                LayerPrecision.Int8 or LayerPrecision.Codebook256 => (long)n * k,
                LayerPrecision.Int4 or LayerPrecision.Int4Asymmetric => (long)n * (LayerSchemeRules.PaddedInFeatures(layer, k) / 2),
                _ => (long)n * ((k + 1) / 2), // Codebook16: two indices per byte
            };
        }

        if (precision == LayerPrecision.Int8)
        {
            scale = 4L * n;
        }
        else if (LayerSchemeRules.IsInt4(precision))
        {
            scale = 2L * n * (LayerSchemeRules.PaddedInFeatures(layer, k) / scheme.EffectiveGroupSize);
            min = precision == LayerPrecision.Int4Asymmetric ? scale : -1;
        }
        else if (precision == LayerPrecision.Codebook16)
        {
            codebook = 2L * n * 16;
        }
        else if (precision == LayerPrecision.Codebook256)
        {
            codebook = 2L * 256;
        }

        var inputScale = scheme.InputQuantization == LayerInputQuantization.Static ? 4 : -1;
        return new LayerTensorSizes(weight, structure, scale, min, codebook, inputScale, layer.Bias ? 4L * n : -1);
    }

    /// <summary>Sum of the present tensors' bytes.</summary>
    public long Total => Present(Weight) + Present(Structure) + Present(Scale) + Present(Min) + Present(Codebook) + Present(InputScale) + Present(Bias);

    private static long Present(long bytes) => bytes < 0 ? 0 : bytes;
}
