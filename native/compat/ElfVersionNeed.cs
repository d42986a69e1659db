using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

// MSBuild task: marks one symbol-version requirement of an ELF64 shared library as weak (VER_FLG_WEAK), so the
// dynamic loader accepts a libstdc++ that lacks that version. Writes a patched copy, then renames it over the
// file: a hard-linked copy-local file (the NuGet cache) is never modified.
public class WeakenElfVersionNeed : Task
{
    [Required] public string File { get; set; }
    [Required] public string Version { get; set; }
    [Output] public bool Changed { get; set; }

    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public override bool Execute()
    {
        byte[] elf;
        try { elf = System.IO.File.ReadAllBytes(File); }
        catch (Exception e) { Log.LogError($"{File}: cannot read: {e.Message}"); return false; }
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            Log.LogError($"{File}: not a little-endian ELF64 file");
            return false;
        }
        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        int shentsize = BitConverter.ToUInt16(elf, 0x3a), shnum = BitConverter.ToUInt16(elf, 0x3c);
        for (var i = 0; i < shnum; i++)
        {
            var sh = shoff + (long)i * shentsize;
            if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
            var offset = (long)BitConverter.ToUInt64(elf, (int)sh + 0x18);
            var link = BitConverter.ToUInt32(elf, (int)sh + 0x28);
            var entries = BitConverter.ToUInt32(elf, (int)sh + 0x2c);   // sh_info: number of Verneed entries
            var strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize) + 0x18);
            var need = offset;
            for (var n = 0; n < entries; n++)
            {
                int count = BitConverter.ToUInt16(elf, (int)need + 2);
                var aux = need + BitConverter.ToUInt32(elf, (int)need + 8);
                for (var a = 0; a < count; a++)
                {
                    var name = ReadString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8));
                    if (name == Version)
                    {
                        var flags = BitConverter.ToUInt16(elf, (int)aux + 4);
                        if ((flags & VerFlgWeak) != 0) return true;
                        BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(elf, (int)aux + 4);
                        var temp = File + ".weak.tmp";
                        System.IO.File.WriteAllBytes(temp, elf);
                        System.IO.File.Replace(temp, File, null);
                        Changed = true;
                        Log.LogMessage(MessageImportance.Normal, $"{File}: {Version} marked weak");
                        return true;
                    }
                    aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                }
                need += BitConverter.ToUInt32(elf, (int)need + 12);
            }
        }
        return true;
    }

    static string ReadString(byte[] bytes, long start)
    {
        var end = start;
        while (bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, (int)start, (int)(end - start));
    }
}
