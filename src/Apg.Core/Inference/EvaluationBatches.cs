namespace Apg.Core.Inference;

/// <summary>How many instances an evaluation runs at once so that memory stays bounded whatever L is.</summary>
public static class EvaluationBatches
{
    /// <summary>At most batchSize, and at least 1, instances whose tensors of elementsPerInstance each fit in maxElements.</summary>
    public static int InstancesPerBatch(int batchSize, long elementsPerInstance, long maxElements) =>
        (int)Math.Clamp(maxElements / Math.Max(1, elementsPerInstance), 1, batchSize);
}
