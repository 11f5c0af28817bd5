import { describe, expect, it } from 'vitest';
import { definerClause, parseAccount, sameAccount, withCurrentUserDefiner } from '../../../src/backup/definers.js';

const rewrite = (sql: string): string | null => {
  const clause = definerClause(sql);
  return clause ? withCurrentUserDefiner(sql, clause) : null;
};

describe('definerClause', () => {
  it('finds the head DEFINER of every CREATE shape mariadb-dump and SHOW CREATE write', () => {
    expect(
      rewrite(
        '/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 */',
      ),
    ).toBe(
      '/*!50001 CREATE ALGORITHM=UNDEFINED */\n/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */\n/*!50001 VIEW `v` AS select 1 */',
    );
    expect(
      rewrite(
        '/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1 */',
      ),
    ).toBe('/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1 */');
    expect(rewrite('--\n-- Dumping routines\n--\nCREATE DEFINER=`ro``ot`@`%` PROCEDURE `p`() SELECT 1')).toBe(
      '--\n-- Dumping routines\n--\nCREATE DEFINER=CURRENT_USER PROCEDURE `p`() SELECT 1',
    );
    expect(definerClause('CREATE DEFINER=`ro``ot`@`%` PROCEDURE p() SELECT 1')!.definer).toEqual({ user: 'ro`ot', host: '%' });
    expect(
      definerClause("/*!50106 CREATE*/ /*!50117 DEFINER='root'@'localhost'*/ /*!50106 EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1 */")!
        .definer,
    ).toEqual({ user: 'root', host: 'localhost' });
    expect(definerClause('CREATE ALGORITHM=UNDEFINED DEFINER=root@localhost SQL SECURITY DEFINER VIEW v AS SELECT 1')!.definer).toEqual({
      user: 'root',
      host: 'localhost',
    });
  });

  it('never touches a DEFINER= outside the head of a CREATE', () => {
    expect(definerClause("CREATE TABLE t (a varchar(30) DEFAULT 'DEFINER=`x`@`y`')")).toBeNull();
    expect(definerClause("INSERT INTO t VALUES ('CREATE DEFINER=`x`@`y` PROCEDURE')")).toBeNull();
    expect(definerClause("CREATE PROCEDURE p() SELECT 'DEFINER=`x`@`y`'")).toBeNull();
    expect(definerClause('SELECT 1')).toBeNull();
  });
});

describe('accounts', () => {
  it('parses CURRENT_USER() and compares hosts case-insensitively', () => {
    expect(parseAccount('app@10.0.0.%')).toEqual({ user: 'app', host: '10.0.0.%' });
    expect(parseAccount('we@ird@localhost')).toEqual({ user: 'we@ird', host: 'localhost' });
    expect(sameAccount({ user: 'a', host: 'LOCALHOST' }, { user: 'a', host: 'localhost' })).toBe(true);
    expect(sameAccount({ user: 'a', host: '%' }, { user: 'A', host: '%' })).toBe(false);
  });
});
