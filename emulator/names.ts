/** Small word lists for realistic, deterministic data. */

export const FIRST = [
  'Alice', 'Bruno', 'Chen', 'Dana', 'Elif', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Kaisa', 'Liam', 'Maria',
  'Nikolai', 'Olga', 'Pedro', 'Quinn', 'Rita', 'Sven', 'Tiina', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe',
] as const;

export const LAST = [
  'Tamm', 'Silva', 'Novak', 'Kowalski', 'Smith', 'Müller', 'Rossi', 'Dubois', 'Jensen', 'Virtanen', 'Garcia', 'Kim',
  'Nakamura', 'Okafor', 'Papadopoulos', 'Ivanova', 'Horvat', 'Larsen', 'Murphy', 'Sato',
] as const;

export const ORG_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Cyberdyne', 'Soylent',
  'Aperture', 'Massive', 'Dunder', 'Wonka', 'Gringotts', 'Oscorp', 'Piedmont', 'Nakatomi', 'Sirius', 'Nordwind',
  'Baltic', 'Helios', 'Aurora',
] as const;

export const ORG_SECTORS = ['Logistics', 'Software', 'Foods', 'Energy', 'Media', 'Robotics', 'Health', 'Finance', 'Retail', 'Labs'] as const;

export const ORG_SUFFIXES = ['Ltd', 'GmbH', 'OÜ', 'Inc', 'AS', 'SA', 'BV', 'Oy'] as const;

export const DEAL_WORDS = ['expansion', 'renewal', 'pilot', 'license', 'onboarding', 'upsell', 'migration', 'support plan'] as const;

export const PRODUCT_WORDS = [
  'CRM Seat', 'Analytics Add-on', 'Onboarding Package', 'Premium Support', 'API Access', 'Data Import', 'Training Day',
  'Hardware Kit', 'Consulting Hour', 'Storage 1TB', 'Integration Bundle', 'Security Audit',
] as const;

export const CURRENCIES = ['EUR', 'EUR', 'EUR', 'USD', 'USD', 'GBP', 'SEK'] as const;

export const ACTIVITY_SUBJECTS = ['Intro call', 'Demo', 'Follow-up email', 'Contract review', 'Lunch meeting', 'Quarterly review', 'Send proposal', 'Check-in'] as const;

export const NOTE_TEXTS = [
  'Customer asked for a discount on annual billing.',
  'Discussed integration requirements with the IT team.',
  'Decision expected after the board meeting.',
  'Sent the updated proposal and pricing sheet.',
  'Champion is moving to another team; find a new contact.',
  'Legal review in progress.',
] as const;

export interface City {
  locality: string;
  sublocality: string;
  admin1: string;
  admin2: string;
  country: string;
  postal: string;
  route: string;
}

export const CITIES: readonly City[] = [
  { locality: 'Tallinn', sublocality: 'Kesklinn', admin1: 'Harju maakond', admin2: 'Tallinn', country: 'Estonia', postal: '10111', route: 'Narva mnt' },
  { locality: 'Berlin', sublocality: 'Mitte', admin1: 'Berlin', admin2: 'Berlin', country: 'Germany', postal: '10115', route: 'Invalidenstraße' },
  { locality: 'Lisbon', sublocality: 'Baixa', admin1: 'Lisboa', admin2: 'Lisboa', country: 'Portugal', postal: '1100-148', route: 'Rua Augusta' },
  { locality: 'Austin', sublocality: 'Downtown', admin1: 'Texas', admin2: 'Travis County', country: 'United States', postal: '78701', route: 'Congress Ave' },
  { locality: 'Toronto', sublocality: 'Old Toronto', admin1: 'Ontario', admin2: 'Toronto', country: 'Canada', postal: 'M5H 2N2', route: 'King St W' },
  { locality: 'Helsinki', sublocality: 'Kamppi', admin1: 'Uusimaa', admin2: 'Helsinki', country: 'Finland', postal: '00100', route: 'Mannerheimintie' },
  { locality: 'London', sublocality: 'Shoreditch', admin1: 'England', admin2: 'Greater London', country: 'United Kingdom', postal: 'EC2A 3AY', route: 'Old Street' },
];
