import { describe, expect, it } from 'vitest';
import { ageOn, emptyMedicalHistory, parseDate, parsePatientSearch, patientSearchText, phoneDigits } from './patient.js';

const amelia = {
  givenName: 'Amelia',
  familyName: 'Hart',
  preferredName: 'Millie',
  email: 'Amelia.Hart@Example.test',
  phone: '+44 20 7946 0011',
};

/** What the server does with a query: every word must occur in the search text. */
const finds = (query: string, patient = amelia): boolean => {
  const text = patientSearchText(patient);
  return parsePatientSearch(query).words.every((word) => text.includes(word));
};

describe('phoneDigits', () => {
  it('keeps the digits only', () => {
    expect(phoneDigits('+44 (0)20 7946-0000')).toBe('4402079460000');
    expect(phoneDigits('020.7946.0000')).toBe('02079460000');
    expect(phoneDigits('07700 900123 ext. 4')).toBe('077009001234');
  });

  it('is empty for nothing, null, undefined or no digits', () => {
    expect(phoneDigits('')).toBe('');
    expect(phoneDigits(null)).toBe('');
    expect(phoneDigits(undefined)).toBe('');
    expect(phoneDigits('call me')).toBe('');
  });

  it('lets a local and an international form match by their tails', () => {
    expect(phoneDigits('+44 20 7946 0000').endsWith(phoneDigits('7946 0000'))).toBe(true);
  });
});

describe('parseDate', () => {
  it('reads ISO dates', () => {
    expect(parseDate('1988-04-12')).toBe('1988-04-12');
    expect(parseDate('2000-01-01')).toBe('2000-01-01');
    expect(parseDate('1999-12-31')).toBe('1999-12-31');
  });

  it('reads day-first dates with slashes or dots, with or without leading zeros', () => {
    expect(parseDate('12/04/1988')).toBe('1988-04-12');
    expect(parseDate('12.04.1988')).toBe('1988-04-12');
    expect(parseDate('2/3/1990')).toBe('1990-03-02');
    expect(parseDate('02/03/1990')).toBe('1990-03-02');
    expect(parseDate('31/12/1999')).toBe('1999-12-31');
  });

  it('never reads a date month first', () => {
    expect(parseDate('04/12/1988')).toBe('1988-12-04');
    expect(parseDate('12/31/1999')).toBeNull();
  });

  it('refuses dates that do not exist', () => {
    for (const text of ['31/02/1990', '30/02/2000', '29/02/2023', '29/02/1900', '31/04/2020', '00/01/1990', '01/00/1990', '32/01/1990', '01/13/1990']) {
      expect(parseDate(text), text).toBeNull();
    }
    for (const text of ['2023-02-29', '1990-02-31', '1990-00-10', '1990-13-01', '1990-01-00', '1990-01-32', '0000-01-01', '0099-06-15']) {
      expect(parseDate(text), text).toBeNull();
    }
  });

  it('accepts 29 February in leap years', () => {
    expect(parseDate('29/02/2024')).toBe('2024-02-29');
    expect(parseDate('29.02.2000')).toBe('2000-02-29');
    expect(parseDate('2024-02-29')).toBe('2024-02-29');
  });

  it('refuses other shapes', () => {
    for (const text of ['', '1988', '1988-4-12', '88-04-12', '12/04/88', '12-04-1988', '1988/04/12', ' 1988-04-12', '1988-04-12 ', '1988-04-12T00:00:00Z', '123/04/1988', '12/004/1988', 'twelfth of april', '12/04/1988x']) {
      expect(parseDate(text), JSON.stringify(text)).toBeNull();
    }
  });
});

describe('parsePatientSearch', () => {
  it('lower-cases words and splits on any whitespace', () => {
    expect(parsePatientSearch('  Amelia   HART\t')).toEqual({ words: ['amelia', 'hart'], dateOfBirth: null });
    expect(parsePatientSearch('Amelia.Hart@Example.TEST')).toEqual({ words: ['amelia.hart@example.test'], dateOfBirth: null });
    expect(parsePatientSearch("O'NEIL Zoë")).toEqual({ words: ["o'neil", 'zoë'], dateOfBirth: null });
  });

  it('is empty for an empty or blank query', () => {
    expect(parsePatientSearch('')).toEqual({ words: [], dateOfBirth: null });
    expect(parsePatientSearch('   \n ')).toEqual({ words: [], dateOfBirth: null });
  });

  it('searches phone numbers by their digits', () => {
    expect(parsePatientSearch('07700-900-123')).toEqual({ words: ['07700900123'], dateOfBirth: null });
    expect(parsePatientSearch('(020)')).toEqual({ words: ['020'], dateOfBirth: null });
    expect(parsePatientSearch('7946 0011')).toEqual({ words: ['7946', '0011'], dateOfBirth: null });
    expect(parsePatientSearch('+447700900123')).toEqual({ words: ['447700900123'], dateOfBirth: null });
    // A number typed in groups, country code included: each group by its digits.
    expect(parsePatientSearch('+44 20 7946 0011')).toEqual({ words: ['44', '20', '7946', '0011'], dateOfBirth: null });
  });

  it('keeps words with letters as typed, even when they contain digits', () => {
    expect(parsePatientSearch('flat 3b')).toEqual({ words: ['flat', '3b'], dateOfBirth: null });
    expect(parsePatientSearch('x-123')).toEqual({ words: ['x-123'], dateOfBirth: null });
  });

  it('takes an ISO or day-first date as the date of birth, not as a word', () => {
    expect(parsePatientSearch('1988-04-12')).toEqual({ words: [], dateOfBirth: '1988-04-12' });
    expect(parsePatientSearch('hart 12/04/1988')).toEqual({ words: ['hart'], dateOfBirth: '1988-04-12' });
    expect(parsePatientSearch('12.04.1988 Amelia')).toEqual({ words: ['amelia'], dateOfBirth: '1988-04-12' });
  });

  it('does not take an impossible date as a date of birth', () => {
    expect(parsePatientSearch('31/02/1990')).toEqual({ words: ['31/02/1990'], dateOfBirth: null });
    expect(parsePatientSearch('hart 2023-02-29').dateOfBirth).toBeNull();
    expect(parsePatientSearch('29/02/2023').dateOfBirth).toBeNull();
  });

  it('keeps the first date when two are typed', () => {
    expect(parsePatientSearch('12/04/1988 01/01/2000').dateOfBirth).toBe('1988-04-12');
  });
});

describe('patientSearchText', () => {
  it('holds the names, the email and the phone digits, lower-cased', () => {
    expect(patientSearchText(amelia)).toBe('amelia millie hart amelia.hart@example.test 442079460011');
  });

  it('leaves out missing fields without stray spaces', () => {
    expect(patientSearchText({ givenName: 'Amelia', familyName: 'Hart' })).toBe('amelia hart');
    expect(patientSearchText({ givenName: ' Mary  Ann ', familyName: 'De  Vries', preferredName: null, email: null, phone: null })).toBe('mary ann de vries');
    expect(patientSearchText({ givenName: 'Amelia', familyName: 'Hart', phone: 'none' })).toBe('amelia hart');
  });

  it('never holds the date of birth or anything else', () => {
    const withExtras = { ...amelia, dateOfBirth: '1988-04-12', address: '1 High Street' } as Parameters<typeof patientSearchText>[0];
    expect(patientSearchText(withExtras)).toBe(patientSearchText(amelia));
  });
});

describe('finding a patient: parsePatientSearch against patientSearchText', () => {
  it.each([
    'amelia',
    'HART',
    'Hart Amelia',
    'millie hart',
    'mil',
    'amelia.hart@example.test',
    '0011',
    '7946 0011',
    '2079460011',
    '+44 20 7946 0011',
    '+44 (20) 7946-0011',
    '+442079460011',
  ])('finds the patient by %j', (query) => {
    expect(finds(query)).toBe(true);
  });

  it.each(['amelia jones', 'harte', '0012', '7946 0012', '31/02/1990'])('does not find the patient by %j', (query) => {
    expect(finds(query)).toBe(false);
  });
});

describe('ageOn', () => {
  it('counts a birthday from its first moment (UTC)', () => {
    expect(ageOn('1988-04-12', new Date('2025-04-11T23:59:59.999Z'))).toBe(36);
    expect(ageOn('1988-04-12', new Date('2025-04-12T00:00:00.000Z'))).toBe(37);
    expect(ageOn('1988-04-12', new Date('2025-04-13T00:00:00.000Z'))).toBe(37);
  });

  it('handles the month before and after the birthday month', () => {
    expect(ageOn('1988-04-12', new Date('2025-03-31T12:00:00Z'))).toBe(36);
    expect(ageOn('1988-04-12', new Date('2025-05-01T12:00:00Z'))).toBe(37);
    expect(ageOn('1988-12-31', new Date('2025-12-30T12:00:00Z'))).toBe(36);
    expect(ageOn('1988-12-31', new Date('2025-12-31T00:00:00Z'))).toBe(37);
    expect(ageOn('1988-01-01', new Date('2025-01-01T00:00:00Z'))).toBe(37);
    expect(ageOn('1988-01-01', new Date('2024-12-31T23:59:59Z'))).toBe(36);
  });

  it('is zero on the day of birth and until the first birthday', () => {
    expect(ageOn('2024-06-15', new Date('2024-06-15T08:00:00Z'))).toBe(0);
    expect(ageOn('2024-06-15', new Date('2025-06-14T23:59:59Z'))).toBe(0);
    expect(ageOn('2024-06-15', new Date('2025-06-15T00:00:00Z'))).toBe(1);
  });

  it('gives someone born on 29 February a year more on 1 March in common years', () => {
    expect(ageOn('2000-02-29', new Date('2023-02-28T12:00:00Z'))).toBe(22);
    expect(ageOn('2000-02-29', new Date('2023-03-01T00:00:00Z'))).toBe(23);
    expect(ageOn('2000-02-29', new Date('2024-02-28T12:00:00Z'))).toBe(23);
    expect(ageOn('2000-02-29', new Date('2024-02-29T00:00:00Z'))).toBe(24);
  });

  it('works for ages past 100', () => {
    expect(ageOn('1920-07-01', new Date('2025-06-30T00:00:00Z'))).toBe(104);
    expect(ageOn('1920-07-01', new Date('2025-07-01T00:00:00Z'))).toBe(105);
  });
});

describe('emptyMedicalHistory', () => {
  it('starts with nothing declared, and gives a fresh object each time', () => {
    const history = emptyMedicalHistory();
    expect(history.allergies).toEqual({ lidocaine: false, hyaluronicAcid: false, albumin: false, other: '' });
    for (const [key, value] of Object.entries(history)) if (typeof value === 'boolean') expect(value, key).toBe(false);
    history.allergies.lidocaine = true;
    expect(emptyMedicalHistory().allergies.lidocaine).toBe(false);
  });
});
