package dev.embedstore.embed;

/**
 * What a text is embedded as. Some models embed a search query differently from a passage (bge adds
 * an instruction prefix to queries), so the role is part of every cache key: the same text as a
 * query and as a document are two distinct cache entries.
 */
public enum Role {
  /** A passage that is stored and searched. */
  DOCUMENT('D'),
  /** A search query. */
  QUERY('Q');

  private final byte code;

  Role(char code) {
    this.code = (byte) code;
  }

  /**
   * The stable one-byte code of this role, used in cache keys and on disk. It never changes between
   * releases, unlike {@link #ordinal()}.
   *
   * @return {@code 'D'} or {@code 'Q'}
   */
  public byte code() {
    return code;
  }

  /**
   * Returns the role with the given {@link #code()}.
   *
   * @param code a role code
   * @return the role
   * @throws IllegalArgumentException if no role has that code
   */
  public static Role fromCode(byte code) {
    for (Role role : values()) {
      if (role.code == code) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role code; code=" + code);
  }
}
