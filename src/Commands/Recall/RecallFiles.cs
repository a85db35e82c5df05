using Sieve.Core.Recall;

namespace Sieve.Commands.Recall;

/// <summary>Reading the recall commands' input files, each problem one usage error naming the option and the file.</summary>
internal static class RecallFiles
{
    /// <summary>Largest request or approval file read.</summary>
    public const long MaxFileBytes = 256L * 1024 * 1024;

    /// <summary>The request in <paramref name="path"/>.</summary>
    public static RecallRequest ReadRequest(string path)
    {
        byte[] content = Read(path, "--request");
        return RecallRequest.TryParse(content, out string? problem)
            ?? ThrowHelper.Usage<RecallRequest>($"--request '{path}' is not a recall request: {problem}; make one with 'sieve recall request'");
    }

    /// <summary>The approval in <paramref name="path"/>.</summary>
    public static RecallApproval ReadApproval(string path)
    {
        byte[] content = Read(path, "--approval");
        return RecallApproval.TryParse(content, out string? problem)
            ?? ThrowHelper.Usage<RecallApproval>($"--approval '{path}' is not an approval: {problem}; make one with 'sieve recall approve'");
    }

    /// <summary>The recall key from <paramref name="path"/>, or from <see cref="RecallKey.EnvironmentVariable"/> when null.</summary>
    public static RecallKey ReadRecallKey(string? path)
    {
        path ??= Environment.GetEnvironmentVariable(RecallKey.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(path))
        {
            ThrowHelper.Usage($"no recall key: pass --recall-key FILE (make one with 'sieve recall keygen') or set {RecallKey.EnvironmentVariable}");
        }

        try
        {
            return RecallKey.Load(path);
        }
        catch (RecallKeyException e)
        {
            return ThrowHelper.Usage<RecallKey>("--recall-key: " + e.Message.TrimEnd('.'));
        }
    }

    /// <summary>The bytes of <paramref name="path"/>, given as <paramref name="option"/>.</summary>
    public static byte[] Read(string path, string option)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return ThrowHelper.Usage<byte[]>($"{option} '{path}' does not exist");
            }

            if (info.Length > MaxFileBytes)
            {
                return ThrowHelper.Usage<byte[]>($"{option} '{path}' is larger than {MaxFileBytes} bytes");
            }

            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ThrowHelper.Usage<byte[]>($"{option} '{path}' cannot be read ({e.GetType().Name})");
        }
    }
}
