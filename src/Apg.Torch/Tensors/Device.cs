namespace Apg.Torch;

public enum DeviceType
{
    Cpu = 0,
    Cuda = 1,
}

/// <summary>Where a tensor lives; "cpu", "cuda" or "cuda:1".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static readonly Device Cpu = new(DeviceType.Cpu);
    public static readonly Device Cuda = new(DeviceType.Cuda, 0);

    public static Device Parse(string text)
    {
        var parts = text.Trim().ToLowerInvariant().Split(':');
        var type = parts[0] switch
        {
            "cpu" => DeviceType.Cpu,
            "cuda" => DeviceType.Cuda,
            _ => throw new ArgumentException($"unknown device '{text}': use cpu, cuda or cuda:N"),
        };
        if (parts.Length == 1) return type == DeviceType.Cuda ? Cuda : Cpu;
        if (parts.Length == 2 && int.TryParse(parts[1], out var index) && index >= 0) return new Device(type, index);
        throw new ArgumentException($"unknown device '{text}': use cpu, cuda or cuda:N");
    }

    public override string ToString() =>
        Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
