namespace ModelGen.Tests; public class SmokeTests { [Fact] public void Runs() => Assert.Equal(4, ModelGen.DenseLayout.ElementBytes(ModelGen.Precision.Float32)); }
