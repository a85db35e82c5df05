using System.Text;

namespace Sieve.Commands.Keys;

/// <summary>
/// Writes keys files so that no one else can ever read them: the content goes to a new file in the same folder,
/// created with mode 0600, which then replaces the target in one rename. A crash leaves the old file or the new
/// one, never a half-written or briefly world-readable one.
/// </summary>
internal static class KeysFileWriter
{
    /// <summary>Owner read and write only.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> with mode 0600.</summary>
    /// <param name="path">The keys file.</param>
    /// <param name="content">The JSON text.</param>
    /// <param name="overwrite">Replace an existing file; when false an existing file is a usage error.</param>
    /// <exception cref="CliException">The file exists and <paramref name="overwrite"/> is false (usage), or it cannot be written (failure).</exception>
    public static void Write(string path, string content, bool overwrite)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            ThrowHelper.Failure($"cannot write '{path}': the folder does not exist");
        }

        if (!overwrite && File.Exists(full))
        {
            ThrowHelper.Usage($"'{path}' already exists; pass --force to replace it (the keys in it are lost, and every pseudonym made with them)");
        }

        string temporary = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                // The create mode is filtered by the umask; this makes it exactly 0600 whatever the umask is.
                File.SetUnixFileMode(temporary, OwnerOnly);
            }

            File.Move(temporary, full, overwrite);
        }
        catch (IOException e) when (!overwrite && File.Exists(full))
        {
            _ = e;
            ThrowHelper.Usage($"'{path}' already exists; pass --force to replace it");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowHelper.Failure($"cannot write '{path}' ({e.GetType().Name}); check the folder's permissions");
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
