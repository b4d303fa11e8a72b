// A synthetic clinic for the benchmark: names combined from lists, dates of birth, phone numbers from
// Ofcom's ranges reserved for drama (never allocated to anyone), emails at example.com/.org/.net.
// Nothing here is, or comes from, real patient data.
import { randomUUID } from 'node:crypto';
import { ACQUISITION_CHANNELS, emptyMedicalHistory, patientSearchText } from '@contour/domain';
import { prng } from './util.mjs';

const GIVEN_NAMES = [
  'Amelia', 'Olivia', 'Isla', 'Ava', 'Mia', 'Sophia', 'Grace', 'Lily', 'Freya', 'Emily', 'Ella', 'Charlotte',
  'Evie', 'Poppy', 'Florence', 'Harriet', 'Imogen', 'Matilda', 'Rosie', 'Alice', 'Eleanor', 'Margaret', 'Elizabeth',
  'Catherine', 'Victoria', 'Rebecca', 'Rachel', 'Hannah', 'Sarah', 'Laura', 'Jessica', 'Natalie', 'Joanna', 'Helen',
  'Claire', 'Fiona', 'Siobhán', 'Niamh', 'Aoife', 'Saoirse', 'Catriona', 'Morag', 'Eilidh', 'Bethan', 'Carys', 'Megan',
  'Priya', 'Anjali', 'Aisha', 'Fatima', 'Zainab', 'Amara', 'Chiamaka', 'Ngozi', 'Adaeze', 'Yetunde', 'Mei', 'Lin',
  'Yuki', 'Hana', 'Sofía', 'Lucía', 'Camila', 'Valentina', 'Chiara', 'Giulia', 'Francesca', 'Léa', 'Chloé', 'Manon',
  'Anna', 'Katarzyna', 'Zofia', 'Agnieszka', 'Ingrid', 'Astrid', 'Maja', 'Elif', 'Zeynep', 'Leila', 'Yasmin', 'Zoë',
  'James', 'Oliver', 'Thomas', 'William', 'Daniel', 'Samuel', 'Joseph', 'David', 'Michael', 'Alexander', 'Rohan',
  'Arjun', 'Omar', 'Tariq', 'Chinedu', 'Kwame', 'Mateo', 'Luca', 'Marco', 'Jakub', 'Erik', 'Kenji', 'Wei', 'Hamish',
];

const FAMILY_NAMES = [
  'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright', 'Thompson',
  'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Patel', 'Khan', 'Lewis',
  'James', 'Phillips', 'Mason', 'Mitchell', 'Rose', 'Davis', 'Rodriguez', 'Cox', 'Alexander', 'Morgan', 'Moore',
  'Hughes', 'Edwards', 'Hill', 'Harris', 'Clark', 'Turner', 'Cooper', 'Ward', 'Morris', 'King', 'Baker', 'Harrison',
  "O'Brien", "O'Connor", 'Murphy', 'Kelly', 'Byrne', 'Ryan', 'Walsh', 'MacDonald', 'Campbell', 'Stewart', 'Fraser',
  'Macleod', 'Llewellyn', 'Pritchard', 'Shah', 'Sharma', 'Singh', 'Gupta', 'Chaudhry', 'Hussain', 'Ahmed', 'Rahman',
  'Okafor', 'Adeyemi', 'Mensah', 'Okonkwo', 'Chen', 'Wang', 'Nguyen', 'Tanaka', 'Kim', 'García', 'Fernández',
  'Rossi', 'Bianchi', 'Esposito', 'Dubois', 'Moreau', 'Lefèvre', 'Kowalski', 'Nowak', 'Wiśniewska', 'Andersson',
  'Johansson', 'Hansen', 'Yılmaz', 'Demir', 'Papadopoulos', 'Novak', 'de Vries', 'van der Berg', 'Müller', 'Schmidt',
  'Fischer', 'Weber', 'Costa', 'Silva', 'Santos', 'Pereira', 'Haddad', 'Mansour', 'Cohen', 'Levy', 'Ivanova',
];

const NICKNAMES = {
  Elizabeth: 'Liz', Margaret: 'Maggie', Catherine: 'Kate', Victoria: 'Vicky', Rebecca: 'Becky', Jessica: 'Jess',
  Joanna: 'Jo', Eleanor: 'Nell', Alexander: 'Alex', Michael: 'Mike', William: 'Will', Samuel: 'Sam', Daniel: 'Dan',
  Thomas: 'Tom', Florence: 'Flo', Harriet: 'Hattie', Matilda: 'Tilly', Valentina: 'Vale', Katarzyna: 'Kasia',
};

const MALE_NAMES = new Set(GIVEN_NAMES.slice(GIVEN_NAMES.indexOf('James')));

// Ofcom's numbers for TV and radio drama: guaranteed never to belong to anyone.
const PHONE_RANGES = [
  { national: (n) => `07700 900${n}`, intl: (n) => `+44 7700 900${n}` },
  { national: (n) => `020 7946 0${n}`, intl: (n) => `+44 20 7946 0${n}` },
  { national: (n) => `0113 496 0${n}`, intl: (n) => `+44 113 496 0${n}` },
  { national: (n) => `0114 496 0${n}`, intl: (n) => `+44 114 496 0${n}` },
  { national: (n) => `0115 496 0${n}`, intl: (n) => `+44 115 496 0${n}` },
  { national: (n) => `0116 496 0${n}`, intl: (n) => `+44 116 496 0${n}` },
  { national: (n) => `0117 496 0${n}`, intl: (n) => `+44 117 496 0${n}` },
  { national: (n) => `0118 496 0${n}`, intl: (n) => `+44 118 496 0${n}` },
  { national: (n) => `0121 496 0${n}`, intl: (n) => `+44 121 496 0${n}` },
  { national: (n) => `0131 496 0${n}`, intl: (n) => `+44 131 496 0${n}` },
  { national: (n) => `0141 496 0${n}`, intl: (n) => `+44 141 496 0${n}` },
  { national: (n) => `0151 496 0${n}`, intl: (n) => `+44 151 496 0${n}` },
  { national: (n) => `0161 496 0${n}`, intl: (n) => `+44 161 496 0${n}` },
  { national: (n) => `0191 498 0${n}`, intl: (n) => `+44 191 498 0${n}` },
  { national: (n) => `029 2018 0${n}`, intl: (n) => `+44 29 2018 0${n}` },
  { national: (n) => `028 9649 6${n}`, intl: (n) => `+44 28 9649 6${n}` },
  { national: (n) => `01632 960${n}`, intl: (n) => `+44 1632 960${n}` },
];

const STREETS = ['High Street', 'Station Road', 'Church Lane', 'Park Avenue', 'Mill Road', 'The Crescent', 'Victoria Road', 'Queens Walk'];
const TOWNS = ['Exampleton', 'Sampleford', 'Testbury', 'Fictiville', 'Placeholder-on-Sea'];
const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

// Acquisition channels weighted roughly as an aesthetics clinic sees them.
const CHANNEL_WEIGHTS = {
  referral: 18, returning: 10, walk_in: 4, website: 10, google_search: 14, google_ads: 6, instagram: 20, facebook: 6,
  tiktok: 5, email: 2, event: 2, other: 3,
};

const ascii = (text) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/ı/g, 'i').toLowerCase().replace(/[^a-z]/g, '');
const pad = (n, width) => String(n).padStart(width, '0');

/**
 * `count` patient rows for `organisationId`, ready for `insertInto('patient')`, plus the plain facts the
 * query mix is drawn from. Deterministic for a given seed (ids aside).
 */
export function syntheticPatients({ count, organisationId, locationId, createdBy, seed = 20240611 }) {
  const rand = prng(seed);
  const channels = ACQUISITION_CHANNELS.flatMap((channel) => Array(CHANNEL_WEIGHTS[channel] ?? 1).fill(channel));
  // Every reserved number at most once: 17 ranges × 1,000 numbers.
  const phoneSlots = rand.shuffle(PHONE_RANGES.flatMap((_, range) => Array.from({ length: 1000 }, (_, n) => [range, n])));
  const medicalHistory = JSON.stringify(emptyMedicalHistory());
  const now = Date.now();
  const rows = [];
  for (let i = 0; i < count; i++) {
    const givenName = rand.pick(GIVEN_NAMES);
    const familyName = rand.pick(FAMILY_NAMES);
    const male = MALE_NAMES.has(givenName);
    const sex = rand.chance(0.03) ? 'not_stated' : rand.chance(0.005) ? 'intersex' : male ? 'male' : 'female';
    const preferredName = NICKNAMES[givenName] && rand.chance(0.3) ? NICKNAMES[givenName] : null;
    const year = rand.int(1946, 2006);
    const dateOfBirth = `${year}-${pad(rand.int(1, 12), 2)}-${pad(rand.int(1, 28), 2)}`;
    let phone = null;
    if (rand.chance(0.92) && i < phoneSlots.length) {
      const [range, n] = phoneSlots[i];
      const digits = pad(n, 3);
      phone = rand.chance(0.35) ? PHONE_RANGES[range].intl(digits) : PHONE_RANGES[range].national(digits);
    }
    let email = null;
    if (rand.chance(0.88)) {
      const local = rand.pick([
        () => `${ascii(givenName)}.${ascii(familyName)}`,
        () => `${ascii(givenName)[0]}${ascii(familyName)}${String(year).slice(2)}`,
        () => `${ascii(givenName)}_${ascii(familyName)}${rand.int(1, 99)}`,
        () => `${ascii(familyName)}.${ascii(givenName)}`,
      ])();
      email = `${local}.${i.toString(36)}@${rand.pick(EMAIL_DOMAINS)}`;
    }
    const address = rand.chance(0.6) ? `${rand.int(1, 240)} ${rand.pick(STREETS)}, ${rand.pick(TOWNS)}` : null;
    const createdAt = new Date(now - rand.int(1, 4 * 365) * 86_400_000 - rand.int(0, 86_399) * 1000);
    rows.push({
      id: randomUUID(),
      organisation_id: organisationId,
      location_id: locationId,
      given_name: givenName,
      family_name: familyName,
      preferred_name: preferredName,
      date_of_birth: dateOfBirth,
      sex,
      email,
      phone,
      address,
      acquisition_channel: rand.pick(channels),
      medical_history: medicalHistory,
      clinical_notes: '',
      search_text: patientSearchText({ givenName, familyName, preferredName, email, phone }),
      archived_at: rand.chance(0.03) ? new Date(createdAt.getTime() + 86_400_000) : null,
      created_by: createdBy,
      created_at: createdAt,
      updated_at: createdAt,
    });
  }
  return rows;
}

const [dd, mm, yyyy] = [(iso) => iso.slice(8, 10), (iso) => iso.slice(5, 7), (iso) => iso.slice(0, 4)];

/**
 * The search mix a front desk types: a family name, the start of a given name, the last digits of a
 * phone number, a date of birth (day first, as in the UK), and "given family".
 */
export function searchMix(rows, perKind, seed = 7) {
  const rand = prng(seed);
  const active = rows.filter((r) => !r.archived_at);
  const withPhone = active.filter((r) => r.phone);
  const kinds = {
    'family name': () => rand.pick(FAMILY_NAMES.filter((n) => !n.includes(' '))),
    'given-name prefix': () => rand.pick(GIVEN_NAMES).slice(0, rand.int(3, 4)),
    'phone tail (4 digits)': () => rand.pick(withPhone).phone.replace(/\D/g, '').slice(-4),
    'date of birth': () => {
      const dob = rand.pick(active).date_of_birth;
      return `${dd(dob)}/${mm(dob)}/${yyyy(dob)}`;
    },
    'given + family name': () => {
      const r = rand.pick(active);
      return `${r.given_name} ${r.family_name}`;
    },
  };
  const queries = [];
  for (const [kind, make] of Object.entries(kinds)) for (let i = 0; i < perKind; i++) queries.push({ kind, q: make() });
  return { kinds: Object.keys(kinds), queries: rand.shuffle(queries) };
}
