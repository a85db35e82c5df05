namespace Sieve.Commands.Keys;

/// <summary>
/// Writes keys files so that no one else can ever read them: the content goes to a new file in the same folder,
/// created with mode 0600, which then replaces the target in one rename. A crash leaves the old file or the new
/// one, never a half-written or briefly world-readable one.
/// </summary>
internal static class KeysFileWriter
{
    /// <summary>Owner read and write only.</summary>
    public const UnixFileMode OwnerOnly = OwnerOnlyFile.OwnerOnly;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> with mode 0600.</summary>
    /// <param name="path">The keys file.</param>
    /// <param name="content">The JSON text.</param>
    /// <param name="overwrite">Replace an existing file; when false an existing file is a usage error.</param>
    /// <exception cref="CliException">The file exists and <paramref name="overwrite"/> is false (usage), or it cannot be written (failure).</exception>
    public static void Write(string path, string content, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(Path.GetDirectoryName(full) ?? "."))
        {
            ThrowHelper.Failure($"cannot write '{path}': the folder does not exist");
        }

        if (!overwrite && File.Exists(full))
        {
            ThrowHelper.Usage($"'{path}' already exists; pass --force to replace it (the keys in it are lost, and every pseudonym made with them)");
        }

        OwnerOnlyFile.Commit(OwnerOnlyFile.WriteTemporary(path, content), path, overwrite);
    }
}
